#pragma once
// Helpers for error messages that list what exists: "a, b, c" and "did you mean 'x'?".
#include <string>
#include <string_view>
#include <vector>

namespace tg::optim::detail {

std::string join_names(const std::vector<std::string>& names);
// " (did you mean 'beta1'?)" when a name is a small edit away from given, else "".
std::string did_you_mean(std::string_view given, const std::vector<std::string>& names);

}  // namespace tg::optim::detail
