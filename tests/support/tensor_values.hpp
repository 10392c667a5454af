#pragma once
// Small tensors from numbers and checks of a tensor's values, shared by the suite.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <tapegrad/tensor.hpp>

namespace tg::test {

// A 1-D f64 tensor of the values.
inline Tensor vec(const std::vector<double>& v) { return from_vector(v, Shape{static_cast<std::int64_t>(v.size())}); }
// A 1-D f64 leaf that requires grad (a parameter).
inline Tensor param(const std::vector<double>& v) { return vec(v).requires_grad_(); }
// An f64 tensor of the given shape.
inline Tensor f64(const std::vector<double>& v, const Shape& s) { return from_vector(v, s); }
inline std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }

// Each element of t equals expected to relative tolerance tol (doctest's Approx).
inline void check_values(const Tensor& t, const std::vector<double>& expected, double tol = 1e-12) {
  const auto got = t.to_vector<double>();
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i] == doctest::Approx(expected[i]).epsilon(tol));
  }
}

// |actual - expected| <= tolerance, element by element.
inline void check_close(const std::vector<double>& actual, const std::vector<double>& expected,
                        double tolerance = 1e-12) {
  REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    INFO("element " << i << ": " << actual[i] << " vs " << expected[i]);
    CHECK(std::fabs(actual[i] - expected[i]) <= tolerance);
  }
}

}  // namespace tg::test
