#pragma once
// Vector arithmetic on flat f64 arrays, shared by the line search and L-BFGS.
#include <numeric>
#include <span>

namespace tg::optim::detail {

inline double dot(std::span<const double> a, std::span<const double> b) {
  return std::inner_product(a.begin(), a.end(), b.begin(), 0.0);
}

}  // namespace tg::optim::detail
