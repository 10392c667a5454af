// The backward of relu and leaky_relu runs as one loop (g times the slope) when the
// incoming gradient is not itself recorded, and as a product of recorded ops when it is
// (create_graph). Both must give the same numbers, NaN and infinity included: the slope
// is NaN where the input is NaN, and an infinite gradient times a zero slope is NaN.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <tapegrad/tapegrad.hpp>

using tg::Tensor;

namespace {

std::vector<double> gradient_of(const std::function<Tensor(const Tensor&)>& f, const Tensor& x0, const Tensor& g,
                                bool recorded_gradient) {
  Tensor x = x0.detach().requires_grad_();
  Tensor seed = recorded_gradient ? g.detach().requires_grad_() : g;
  tg::backward(std::vector<Tensor>{f(x)}, std::vector<Tensor>{seed}, {.create_graph = recorded_gradient});
  return x.grad().to_vector<double>();
}

}  // namespace

TEST_CASE("relu and leaky_relu backward: the one-loop path equals the recorded product, NaN and inf included") {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  const std::vector<double> xs{-2, -0.0, 0, 0.5, nan, 3, -inf, inf};
  const std::vector<double> gs{1, 2, inf, -4, 5, nan, inf, -inf};
  const std::function<Tensor(const Tensor&)> fns[] = {[](const Tensor& t) { return tg::relu(t); },
                                                      [](const Tensor& t) { return tg::leaky_relu(t, 0.1); }};
  for (const tg::DType dtype : {tg::f32, tg::f64}) {
    for (int which = 0; which < 2; ++which) {
      CAPTURE(which);
      const Tensor x = tg::from_vector(xs, {8}).to(dtype), g = tg::from_vector(gs, {8}).to(dtype);
      const auto fused = gradient_of(fns[which], x, g, false), recorded = gradient_of(fns[which], x, g, true);
      for (std::size_t i = 0; i < xs.size(); ++i) {
        CAPTURE(i);
        CHECK((fused[i] == recorded[i] || (std::isnan(fused[i]) && std::isnan(recorded[i]))));
      }
      // relu: the gradient passes where x > 0, is 0 where x <= 0 (NaN for an infinite g), NaN at a NaN x.
      if (which == 0) {
        CHECK(fused[0] == 0);
        CHECK(std::isnan(fused[2]));  // inf * 0
        CHECK(fused[3] == -4);
        CHECK(std::isnan(fused[4]));
        CHECK(fused[7] == -inf);
      }
    }
  }
}
