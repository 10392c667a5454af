// Random ops: bernoulli masks, dropout, in-place uniform_/normal_. Element i of a draw
// uses 32-bit word i of the generator's reserved range (block i / 4, lane i % 4), so
// the values depend only on the generator state, never on the thread count.
#include <cmath>

#include "kernels/elementwise_loops.hpp"
#include "kernels/random_mask.hpp"
#include "op_pattern.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/random_ops.hpp"

namespace tg {

namespace {

void check_probability(const char* op, double p) {
  TG_CHECK(p >= 0 && p <= 1, "{}: p must be in [0, 1], got {}", op, p);
}

// `kept` where word i is below keep_probability * 2^32 (every word when it is 1), else 0.
Tensor draw_mask(const Shape& shape, double keep_probability, double kept, DType dtype, Generator* gen) {
  Generator& g = gen ? *gen : default_generator();
  Tensor mask = empty(shape, dtype);
  const std::uint64_t first = g.reserve(static_cast<std::uint64_t>(mask.numel()));
  kernels::bernoulli_mask(g, first, keep_probability, kept, mask);
  return mask;
}

// y = x * mask, the mask holding 0 or 1 / (1 - p).
struct Dropout {
  static constexpr const char* name = "dropout";
  Tensor mask;  // made by dropout, never modified: needs no version check
  Tensor forward(const Tensor& x) const {
    NoGradGuard no_grad;
    return x * mask;
  }
  TensorList backward(const ops::OpContext&, const Tensor& g) const { return ops::grads(g * mask); }
  void release() { mask = Tensor{}; }
};

}  // namespace

Tensor bernoulli(const Shape& shape, double p, DType dtype, Generator* gen) {
  check_probability("bernoulli", p);
  return draw_mask(shape, p, 1.0, dtype, gen);
}

Tensor dropout(const Tensor& x, double p, bool training, Generator* gen) {
  check_probability("dropout", p);
  ops::check_floating("dropout", x);
  if (!training || p == 0) return x;
  return ops::apply(Dropout{draw_mask(x.shape(), 1 - p, p == 1 ? 0.0 : 1 / (1 - p), x.dtype(), gen)}, x);
}

Tensor uniform_(const Tensor& t, double low, double high, Generator* gen) {
  ops::check_floating("uniform_", t);
  check_inplace_allowed(t, "uniform_");
  TG_CHECK(std::isfinite(low) && std::isfinite(high) && std::isfinite(high - low),
           "uniform_: low and high must be finite (and high - low too), got low={}, high={}", low, high);
  TG_CHECK(low <= high, "uniform_: low = {} is greater than high = {}", low, high);
  copy_elements(t, uniform(t.shape(), low, high, t.dtype(), gen));
  t.bump_version();
  return t;
}

Tensor normal_(const Tensor& t, double mean, double std, Generator* gen) {
  ops::check_floating("normal_", t);
  check_inplace_allowed(t, "normal_");
  TG_CHECK(std::isfinite(mean), "normal_: mean must be finite, got {}", mean);
  TG_CHECK(std::isfinite(std) && std >= 0, "normal_: std must be finite and non-negative, got {}", std);
  const Tensor z = randn(t.shape(), t.dtype(), gen);
  dispatch_floating(t.dtype(), [&](auto type) {
    using T = decltype(type);
    const T m = static_cast<T>(mean), s = static_cast<T>(std);
    kernels::unary_loop<T>(z, z, [m, s](T v) { return m + s * v; });
  });
  copy_elements(t, z);
  t.bump_version();
  return t;
}

// --- op table entries
namespace {

// A fixed generator for now: the sweep's f32-vs-f64 comparison does not replay the
// default generator between its two evaluations (see the gradcheck test of dropout on
// the default generator in tests/test_random.cpp).
OpTableEntry dropout_entry() {
  OpTableEntry e;
  e.name = "dropout";
  e.fn = [](const std::vector<Tensor>& x) {
    Generator gen(17);
    return dropout(x[0], 0.3, true, &gen);
  };
  e.samples = [](Generator& g) -> std::vector<OpSample> {
    return {{"[4, 5]", {sample_normal(g, {4, 5})}},
            {"scalar []", {sample_normal(g, {})}},
            {"[3, 4] transposed view", {sample_normal(g, {4, 3})}, {0}},
            {"empty [0, 5]", {sample_normal(g, {0, 5})}}};
  };
  e.random = true;
  return e;
}
const OpRegistration reg_dropout(dropout_entry());

}  // namespace

}  // namespace tg
