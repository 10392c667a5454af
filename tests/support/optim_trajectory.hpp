#pragma once
// The optimizer tests' problem and runner: the anisotropic bowl f(x, y) = x^2/20 + y^2
// (docs/formulas.md, Optimizers) from (1, -2), so dx = (x/10, 2y), and the iterates of
// a registered optimizer on it, compared step by step with a hand computation.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>

#include "tensor_values.hpp"

namespace tg::test {

inline Tensor bowl(const Tensor& x) { return sum(x * x * vec({0.05, 1.0})); }

using Trajectory = std::vector<std::vector<double>>;

// x after each of `steps` steps of the named optimizer on the bowl; when given,
// lr_at(t) (t from 1) is set before step t.
inline Trajectory run_on_bowl(const std::string& name, const optim::Options& options, int steps = 3,
                              const std::function<double(int)>& lr_at = {}) {
  Tensor x = vec({1, -2}).requires_grad_();
  auto opt = optim::create(name, {x}, options);
  Trajectory out;
  for (int t = 1; t <= steps; ++t) {
    if (lr_at) opt->set_lr(lr_at(t));
    opt->zero_grad();
    bowl(x).backward();
    opt->step();
    out.push_back(x.to_vector<double>());
  }
  return out;
}

inline void check_trajectory(const Trajectory& actual, const Trajectory& expected, double tolerance = 1e-12) {
  REQUIRE(actual.size() == expected.size());
  for (std::size_t t = 0; t < actual.size(); ++t) {
    REQUIRE(actual[t].size() == expected[t].size());
    for (std::size_t i = 0; i < expected[t].size(); ++i) {
      INFO("step " << t + 1 << ", coordinate " << i);
      CHECK(std::fabs(actual[t][i] - expected[t][i]) <= tolerance);
    }
  }
}

}  // namespace tg::test
