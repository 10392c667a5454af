#include "tapegrad/nn/init.hpp"

#include <cmath>

#include "tapegrad/autograd.hpp"
#include "tapegrad/ops/random_ops.hpp"

namespace tg::nn {

Fans compute_fans(const Shape& weight_shape) {
  TG_CHECK(weight_shape.size() >= 2,
           "init: fan_in and fan_out need a weight of at least 2 dims ([out, in] or [out, in, kh, kw]), got {}",
           weight_shape.str());
  std::int64_t receptive = 1;
  for (int i = 2; i < weight_shape.size(); ++i) receptive *= weight_shape[i];
  return {weight_shape[1] * receptive, weight_shape[0] * receptive};
}

double fan(const Shape& weight_shape, FanMode mode) {
  const Fans fans = compute_fans(weight_shape);
  switch (mode) {
    case FanMode::in: return static_cast<double>(fans.in);
    case FanMode::out: return static_cast<double>(fans.out);
    default: return 0.5 * static_cast<double>(fans.in + fans.out);
  }
}

namespace {

double fan_value(const Tensor& t, FanMode mode) {
  const double n = fan(t.shape(), mode);
  // A zero fan means an empty tensor: any positive n fills it (with nothing).
  return n > 0 ? n : 1.0;
}

}  // namespace

Tensor normal_(const Tensor& t, double std, Generator* gen) {
  NoGradGuard no_grad;
  return tg::normal_(t, 0.0, std, gen);
}

Tensor uniform_(const Tensor& t, double low, double high, Generator* gen) {
  NoGradGuard no_grad;
  return tg::uniform_(t, low, high, gen);
}

Tensor zeros_(const Tensor& t) { return constant_(t, 0.0); }

Tensor constant_(const Tensor& t, double value) {
  NoGradGuard no_grad;
  Tensor self = t;
  self.fill_(value);
  return t;
}

Tensor xavier_normal_(const Tensor& t, Generator* gen, FanMode mode, double gain) {
  return nn::normal_(t, gain / std::sqrt(fan_value(t, mode)), gen);
}

Tensor xavier_uniform_(const Tensor& t, Generator* gen, FanMode mode, double gain) {
  const double bound = std::sqrt(3.0) * gain / std::sqrt(fan_value(t, mode));
  return nn::uniform_(t, -bound, bound, gen);
}

Tensor kaiming_normal_(const Tensor& t, Generator* gen, FanMode mode) {
  return nn::normal_(t, std::sqrt(2.0 / fan_value(t, mode)), gen);
}

Tensor kaiming_uniform_(const Tensor& t, Generator* gen, FanMode mode) {
  const double bound = std::sqrt(3.0) * std::sqrt(2.0 / fan_value(t, mode));
  return nn::uniform_(t, -bound, bound, gen);
}

}  // namespace tg::nn
