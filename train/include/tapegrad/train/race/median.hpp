#pragma once
#include <algorithm>
#include <vector>

namespace tg::train {

// The median (the upper one of an even count): robust to the odd measurement that the
// machine's other work slows down. values must not be empty.
inline double median(std::vector<double> values) {
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

}  // namespace tg::train
