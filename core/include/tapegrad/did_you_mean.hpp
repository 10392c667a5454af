#pragma once
// Error messages about an unknown name list what exists and, when the name is a typo of
// one of them, suggest it: "unknown option 'beta_1' (did you mean 'beta1'?); options: ...".
// Used by the optimizer and model registries and by the optimizer options.
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tg {

// The Levenshtein distance: the fewest single-character insertions, deletions and
// substitutions that turn a into b.
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// " (did you mean 'beta1'?)" for the closest of names when it is at most
// max(1, given.size() / 3) edits away from given (the first of equally close ones), else "".
inline std::string did_you_mean(std::string_view given, const std::vector<std::string>& names) {
  const std::size_t allowed = std::max<std::size_t>(1, given.size() / 3);
  std::size_t best = allowed + 1;
  const std::string* best_name = nullptr;
  for (const std::string& name : names) {
    const std::size_t d = edit_distance(given, name);
    if (d < best) {
      best = d;
      best_name = &name;
    }
  }
  return best_name ? " (did you mean '" + *best_name + "'?)" : std::string{};
}

}  // namespace tg
