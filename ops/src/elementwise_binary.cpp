// Binary elementwise ops with NumPy broadcasting. Backward rules reduce each
// gradient back to its input's shape with sum_to.
#include <cmath>

#include "kernels/eltwise.hpp"
#include "op_pattern.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/reduce.hpp"
#include "tapegrad/ops/views.hpp"

namespace tg {

namespace {

// A binary op is a struct with name, kernel (its kernels::Binary function), num_saved
// (2 when its gradients need the inputs, saved as slots 0 = a and 1 = b) and grad_a /
// grad_b: the gradient before sum_to reduces it to the input's shape, and integers
// (whether it is defined on i64 tensors: add, sub and mul are; an i64 result is never
// recorded, as an i64 tensor cannot require grad). Binary<Op> checks, runs the kernel,
// and reduces the gradients.

struct Add {
  static constexpr bool integers = true;
  static constexpr const char* name = "add";
  static constexpr kernels::Binary kernel = kernels::Binary::add;
  static constexpr std::size_t num_saved = 0;
  static Tensor grad_a(const Tensor& g, const ops::OpContext&) { return g; }
  static Tensor grad_b(const Tensor& g, const ops::OpContext&) { return g; }
};
struct Sub {
  static constexpr bool integers = true;
  static constexpr const char* name = "sub";
  static constexpr kernels::Binary kernel = kernels::Binary::sub;
  static constexpr std::size_t num_saved = 0;
  static Tensor grad_a(const Tensor& g, const ops::OpContext&) { return g; }
  static Tensor grad_b(const Tensor& g, const ops::OpContext&) { return -g; }
};
struct Mul {
  static constexpr bool integers = true;
  static constexpr const char* name = "mul";
  static constexpr kernels::Binary kernel = kernels::Binary::mul;
  static constexpr std::size_t num_saved = 2;
  static Tensor grad_a(const Tensor& g, const ops::OpContext& ctx) { return g * ctx.saved(1); }
  static Tensor grad_b(const Tensor& g, const ops::OpContext& ctx) { return g * ctx.saved(0); }
};
struct Div {
  static constexpr bool integers = false;
  static constexpr const char* name = "div";
  static constexpr kernels::Binary kernel = kernels::Binary::div;
  static constexpr std::size_t num_saved = 2;
  static Tensor grad_a(const Tensor& g, const ops::OpContext& ctx) { return g / ctx.saved(1); }
  static Tensor grad_b(const Tensor& g, const ops::OpContext& ctx) {
    const Tensor b = ctx.saved(1);
    return -(g * ctx.saved(0)) / (b * b);
  }
};
// d(a^b)/da = b a^(b-1), d(a^b)/db = a^b ln a.
struct Pow {
  static constexpr bool integers = false;
  static constexpr const char* name = "pow";
  static constexpr kernels::Binary kernel = kernels::Binary::pow;
  static constexpr std::size_t num_saved = 2;
  static Tensor grad_a(const Tensor& g, const ops::OpContext& ctx) {
    const Tensor b = ctx.saved(1);
    return g * b * pow(ctx.saved(0), b - 1.0);
  }
  static Tensor grad_b(const Tensor& g, const ops::OpContext& ctx) {
    const Tensor a = ctx.saved(0);
    return g * pow(a, ctx.saved(1)) * log(a);
  }
};

template <class Op>
struct Binary {
  static constexpr const char* name = Op::name;
  static constexpr std::size_t num_saved = Op::num_saved;
  Shape a_shape{}, b_shape{};  // set by save

  Tensor forward(const Tensor& a, const Tensor& b) const {
    if (!Op::integers || is_floating(a.dtype())) ops::check_floating(name, a);
    ops::check_same_dtype(name, a, b);
    Tensor out = empty(broadcast_shapes(a.shape(), b.shape(), name), a.dtype());
    kernels::binary(Op::kernel, a, b, out);
    return out;
  }
  // Only a recorded op needs the shapes (sum_to), so they are kept here, not in forward.
  void save(ops::OpContext& ctx, const Tensor& a, const Tensor& b, const Tensor&) {
    a_shape = a.shape();
    b_shape = b.shape();
    if constexpr (num_saved == 2) {
      ctx.save(0, a);
      ctx.save(1, b);
    }
  }
  TensorList backward(const ops::OpContext& ctx, const Tensor& g) const {
    return ops::grads(ctx.needs_input_grad(0) ? sum_to(Op::grad_a(g, ctx), a_shape) : Tensor{},
                      ctx.needs_input_grad(1) ? sum_to(Op::grad_b(g, ctx), b_shape) : Tensor{});
  }
};

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) { return ops::apply(Binary<Add>{}, a, b); }
Tensor sub(const Tensor& a, const Tensor& b) { return ops::apply(Binary<Sub>{}, a, b); }
Tensor mul(const Tensor& a, const Tensor& b) { return ops::apply(Binary<Mul>{}, a, b); }
Tensor div(const Tensor& a, const Tensor& b) { return ops::apply(Binary<Div>{}, a, b); }
Tensor pow(const Tensor& a, const Tensor& b) { return ops::apply(Binary<Pow>{}, a, b); }
Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }

// --- op table entries
namespace {

std::vector<OpSample> binary_samples(Generator& g, Tensor (*make_b)(Generator&, const Shape&)) {
  return {
      {"same [3, 4]", {sample_normal(g, {3, 4}), make_b(g, {3, 4})}},
      {"broadcast [3, 1] x [4]", {sample_normal(g, {3, 1}), make_b(g, {4})}},
      {"broadcast [1] x [2, 3]", {sample_normal(g, {1}), make_b(g, {2, 3})}},
      {"scalar [] x [2, 2]", {sample_normal(g, {}), make_b(g, {2, 2})}},
      {"transposed view [3, 2]", {sample_normal(g, {2, 3}), make_b(g, {3, 2})}, {0}},
      {"empty [0, 4] x [4]", {sample_normal(g, {0, 4}), make_b(g, {4})}},
      {"broadcast to empty [3, 1] x [0]", {sample_normal(g, {3, 1}), make_b(g, {0})}},
  };
}

Tensor normal(Generator& g, const Shape& s) { return sample_normal(g, s); }
Tensor away(Generator& g, const Shape& s) { return sample_away_from_zero(g, s, 0.5); }

template <Tensor (*Fn)(const Tensor&, const Tensor&)>
OpTableEntry binary_entry(const char* name, Tensor (*make_b)(Generator&, const Shape&)) {
  OpTableEntry e;
  e.name = name;
  e.fn = [](const std::vector<Tensor>& x) { return Fn(x[0], x[1]); };
  e.samples = [make_b](Generator& g) { return binary_samples(g, make_b); };
  e.large_samples = [make_b](Generator& g) -> std::vector<OpSample> {
    // oneDNN takes over from 1M elements (kBinaryMinElements).
    return {{"[1024, 1024] x [1024, 1024]", {sample_normal(g, {1024, 1024}), make_b(g, {1024, 1024})}},
            {"[1024, 1024] x [1024]", {sample_normal(g, {1024, 1024}), make_b(g, {1024})}},
            {"[1024] x [1024, 1024]", {sample_normal(g, {1024}), make_b(g, {1024, 1024})}},
            {"[1024, 1] x [1, 1024]", {sample_normal(g, {1024, 1}), make_b(g, {1, 1024})}},
            {"transposed [1024, 1024] x [1024, 1024]", {sample_normal(g, {1024, 1024}), make_b(g, {1024, 1024})}, {0}},
            {"empty [1024, 0] x [1024, 1]", {sample_normal(g, {1024, 0}), make_b(g, {1024, 1})}}};
  };
  return e;
}

const OpRegistration reg_add(binary_entry<add>("add", normal));
const OpRegistration reg_sub(binary_entry<sub>("sub", normal));
const OpRegistration reg_mul(binary_entry<mul>("mul", normal));
const OpRegistration reg_div(binary_entry<div>("div", away));

OpTableEntry pow_entry() {
  OpTableEntry e;
  e.name = "pow";
  e.fn = [](const std::vector<Tensor>& x) { return pow(x[0], x[1]); };
  e.samples = [](Generator& g) -> std::vector<OpSample> {
    return {{"same [3, 4]", {sample_positive(g, {3, 4}), sample_normal(g, {3, 4})}},
            {"broadcast [3, 1] x [4]", {sample_positive(g, {3, 1}), sample_normal(g, {4})}},
            {"empty [0, 4] x [4]", {sample_positive(g, {0, 4}), sample_normal(g, {4})}}};
  };
  return e;
}
const OpRegistration reg_pow(pow_entry());

}  // namespace

}  // namespace tg
