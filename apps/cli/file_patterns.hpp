#pragma once
// File arguments that may be shell patterns ('ckpt/*-epoch*.safetensors'), expanded by
// the command itself: the shell leaves a quoted pattern alone, and a list option such as
// --ensemble a,b takes its members in one argument.
#include <glob.h>

#include <string>
#include <string_view>
#include <vector>

#include <tapegrad/error.hpp>

namespace tg::apps::cli {

// Each pattern's matches in sorted order; a pattern without *, ? or [ stands for itself
// (whether the file exists is the caller's check). A pattern that matches nothing is an
// error naming option and the pattern.
inline std::vector<std::string> expand_file_patterns(std::string_view option, const std::vector<std::string>& patterns) {
  std::vector<std::string> out;
  for (const std::string& pattern : patterns) {
    if (pattern.find_first_of("*?[") == std::string::npos) {
      out.push_back(pattern);
      continue;
    }
    glob_t matches{};
    const int status = glob(pattern.c_str(), 0, nullptr, &matches);
    for (std::size_t i = 0; status == 0 && i < matches.gl_pathc; ++i) out.emplace_back(matches.gl_pathv[i]);
    globfree(&matches);
    TG_CHECK(status == 0, "{}: no file matches the pattern '{}'", option, pattern);
  }
  return out;
}

}  // namespace tg::apps::cli
