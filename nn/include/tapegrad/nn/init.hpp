#pragma once
// Weight initialization (CS231n; docs/formulas.md): small random normal, Xavier
// (std 1/sqrt(n)) and He (std sqrt(2/n)). Each fills a tensor in place (not recorded
// on the tape, even for a parameter that requires grad) and returns it. A null
// generator means the thread's default one, so tg::manual_seed(s) makes model
// construction reproducible. Call them qualified (tg::nn::normal_): tg::normal_ (the
// op, whose second argument is the mean) is found too by argument-dependent lookup.
#include <cstdint>

#include "tapegrad/random.hpp"
#include "tapegrad/tensor.hpp"

namespace tg::nn {

// Fans of a weight: Linear [out, in] has fan_in = in, fan_out = out; Conv2d
// [out, in, kh, kw] has fan_in = in kh kw, fan_out = out kh kw (each output sees
// in kh kw inputs). Needs at least 2 dims.
struct Fans {
  std::int64_t in = 0;
  std::int64_t out = 0;
};
Fans compute_fans(const Shape& weight_shape);

// Which n the Xavier and He formulas use.
enum class FanMode {
  in,       // fan_in (CS231n's n; He's "forward" mode)
  out,      // fan_out (He's "backward" mode)
  average,  // (fan_in + fan_out) / 2: Glorot & Bengio's 2 / (fan_in + fan_out)
};
double fan(const Shape& weight_shape, FanMode mode);

// N(0, std^2).
Tensor normal_(const Tensor& t, double std, Generator* gen = nullptr);
// U[low, high).
Tensor uniform_(const Tensor& t, double low, double high, Generator* gen = nullptr);
Tensor zeros_(const Tensor& t);
Tensor constant_(const Tensor& t, double value);

// Xavier: std = gain / sqrt(n), n = fan(mode), by default the average fan (Glorot).
// The uniform form draws U[-a, a] with a = sqrt(3) std (same variance).
Tensor xavier_normal_(const Tensor& t, Generator* gen = nullptr, FanMode mode = FanMode::average,
                      double gain = 1.0);
Tensor xavier_uniform_(const Tensor& t, Generator* gen = nullptr, FanMode mode = FanMode::average,
                       double gain = 1.0);
// He / Kaiming (for ReLU): std = sqrt(2 / n), n = fan_in by default.
Tensor kaiming_normal_(const Tensor& t, Generator* gen = nullptr, FanMode mode = FanMode::in);
Tensor kaiming_uniform_(const Tensor& t, Generator* gen = nullptr, FanMode mode = FanMode::in);
inline Tensor he_normal_(const Tensor& t, Generator* gen = nullptr, FanMode mode = FanMode::in) {
  return kaiming_normal_(t, gen, mode);
}
inline Tensor he_uniform_(const Tensor& t, Generator* gen = nullptr, FanMode mode = FanMode::in) {
  return kaiming_uniform_(t, gen, mode);
}

}  // namespace tg::nn
