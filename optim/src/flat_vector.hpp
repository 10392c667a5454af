#pragma once
// Arithmetic on the flat f64 vectors of the second-order optimizers (the line search and
// L-BFGS work on all parameters concatenated).
#include <numeric>
#include <span>

namespace tg::optim::detail {

inline double dot(std::span<const double> a, std::span<const double> b) {
  return std::inner_product(a.begin(), a.end(), b.begin(), 0.0);
}

}  // namespace tg::optim::detail
