#include "names.hpp"

#include <algorithm>
#include <cstddef>

namespace tg::optim::detail {

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

namespace {
std::size_t edit_distance(std::string_view a, std::string_view b) {
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
}  // namespace

std::string did_you_mean(std::string_view given, const std::vector<std::string>& names) {
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

}  // namespace tg::optim::detail
