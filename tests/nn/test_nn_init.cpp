// nn init: fans of Linear and Conv weights, and the std of each scheme (docs/formulas.md).
#include <doctest/doctest.h>

#include <cmath>
#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

using tg::Tensor;

// Approx(x).epsilon(r).scale(0) is a relative tolerance r (doctest's default scale of 1
// would add r as an absolute tolerance, too loose for small values).
namespace {

struct Moments {
  double mean, std, max_abs;
};

Moments moments(const Tensor& t) {
  const auto v = t.to_vector<double>();
  double mean = 0, max_abs = 0;
  for (double x : v) {
    mean += x;
    max_abs = std::max(max_abs, std::abs(x));
  }
  mean /= static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return {mean, std::sqrt(ss / static_cast<double>(v.size() - 1)), max_abs};
}

}  // namespace

TEST_CASE("nn fans: Linear [out, in] and Conv [out, in, kh, kw]") {
  const auto linear = tg::nn::compute_fans({256, 784});
  CHECK(linear.in == 784);
  CHECK(linear.out == 256);
  const auto conv = tg::nn::compute_fans({32, 16, 3, 5});
  CHECK(conv.in == 16 * 15);
  CHECK(conv.out == 32 * 15);
  CHECK(tg::nn::fan({32, 16, 3, 5}, tg::nn::FanMode::average) == doctest::Approx((240 + 480) / 2.0));
  CHECK_ERROR(tg::nn::compute_fans({10}), "init: fan_in and fan_out need a weight of at least 2 dims");
  CHECK_ERROR(tg::nn::kaiming_normal_(tg::zeros({7})), "got [7]");
  CHECK(tg::nn::kaiming_normal_(tg::zeros({5, 0})).numel() == 0);  // nothing to fill: no division by a zero fan
}

TEST_CASE("nn init schemes draw the std of their formula (within 3% over 60k values)") {
  tg::Generator gen(21);
  const Tensor w = tg::empty({200, 300});  // fan_in 300, fan_out 200
  CHECK(moments(tg::nn::normal_(w, 0.01, &gen)).std == doctest::Approx(0.01).epsilon(0.03).scale(0));
  CHECK(moments(tg::nn::xavier_normal_(w, &gen)).std == doctest::Approx(std::sqrt(2.0 / 500)).epsilon(0.03).scale(0));
  CHECK(moments(tg::nn::xavier_normal_(w, &gen, tg::nn::FanMode::in)).std ==
        doctest::Approx(1 / std::sqrt(300.0)).epsilon(0.03).scale(0));
  CHECK(moments(tg::nn::kaiming_normal_(w, &gen)).std == doctest::Approx(std::sqrt(2.0 / 300)).epsilon(0.03).scale(0));
  CHECK(moments(tg::nn::he_normal_(w, &gen, tg::nn::FanMode::out)).std ==
        doctest::Approx(std::sqrt(2.0 / 200)).epsilon(0.03).scale(0));

  const Moments xu = moments(tg::nn::xavier_uniform_(w, &gen));
  CHECK(xu.std == doctest::Approx(std::sqrt(2.0 / 500)).epsilon(0.03).scale(0));
  CHECK(xu.max_abs <= std::sqrt(6.0 / 500));
  const Moments ku = moments(tg::nn::kaiming_uniform_(w, &gen));
  CHECK(ku.std == doctest::Approx(std::sqrt(2.0 / 300)).epsilon(0.03).scale(0));
  CHECK(ku.max_abs <= std::sqrt(6.0 / 300));
  CHECK(ku.max_abs > 0.99 * std::sqrt(6.0 / 300));
  CHECK(std::abs(ku.mean) < 0.002);

  CHECK(moments(tg::nn::zeros_(w)).max_abs == 0.0);
  CHECK(moments(tg::nn::constant_(w, 0.5)).mean == 0.5);
}

TEST_CASE("nn init fills parameters in place without recording") {
  tg::nn::Linear linear(3, 2);
  const Tensor w = linear.weight();
  tg::nn::zeros_(w);
  tg::nn::normal_(linear.bias(), 1.0);
  CHECK(w.is_leaf());
  CHECK(w.requires_grad());
  CHECK(linear.bias().is_leaf());
  CHECK(moments(linear.weight()).max_abs == 0.0);
}
