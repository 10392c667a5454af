// Binary elementwise ops with NumPy broadcasting. Backward rules reduce each
// gradient back to its input's shape with sum_to.
#include <cmath>

#include "kernels/eltwise.hpp"
#include "op_util.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/reduce.hpp"
#include "tapegrad/ops/views.hpp"

namespace tg {

namespace {

enum class BinaryKind { add, sub, mul, div, pow };

const char* binary_name(BinaryKind k) {
  switch (k) {
    case BinaryKind::add: return "add";
    case BinaryKind::sub: return "sub";
    case BinaryKind::mul: return "mul";
    case BinaryKind::div: return "div";
    case BinaryKind::pow: return "pow";
  }
  return "?";
}

Tensor binary_forward(BinaryKind kind, const Tensor& a, const Tensor& b) {
  const char* name = binary_name(kind);
  ops::check_floating(name, a);
  ops::check_same_dtype(name, a, b);
  Tensor out = empty(broadcast_shapes(a.shape(), b.shape(), name), a.dtype());
  static constexpr kernels::Binary kernel_op[] = {kernels::Binary::add, kernels::Binary::sub, kernels::Binary::mul,
                                                  kernels::Binary::div, kernels::Binary::pow};
  kernels::binary(kernel_op[static_cast<int>(kind)], a, b, out);
  return out;
}

class BinaryNode final : public Node {
 public:
  BinaryNode(BinaryKind kind, const Tensor& a, const Tensor& b)
      : kind_(kind), a_shape_(a.shape()), b_shape_(b.shape()) {}
  const char* name() const override { return binary_name(kind_); }

  TensorList apply(TensorList&& grads) override {
    const Tensor& g = grads[0];
    TensorList out;
    out.resize(2);
    const bool need_a = edges()[0].valid(), need_b = edges()[1].valid();
    switch (kind_) {
      case BinaryKind::add:
        if (need_a) out[0] = sum_to(g, a_shape_);
        if (need_b) out[1] = sum_to(g, b_shape_);
        break;
      case BinaryKind::sub:
        if (need_a) out[0] = sum_to(g, a_shape_);
        if (need_b) out[1] = sum_to(-g, b_shape_);
        break;
      case BinaryKind::mul:
        if (need_a) out[0] = sum_to(g * b_.unpack(*this), a_shape_);
        if (need_b) out[1] = sum_to(g * a_.unpack(*this), b_shape_);
        break;
      case BinaryKind::div: {
        const Tensor b = b_.unpack(*this);
        if (need_a) out[0] = sum_to(g / b, a_shape_);
        if (need_b) out[1] = sum_to(-(g * a_.unpack(*this)) / (b * b), b_shape_);
        break;
      }
      case BinaryKind::pow: {  // d(a^b)/da = b a^(b-1), d(a^b)/db = a^b ln a
        const Tensor a = a_.unpack(*this), b = b_.unpack(*this);
        if (need_a) out[0] = sum_to(g * b * pow(a, b - 1.0), a_shape_);
        if (need_b) out[1] = sum_to(g * pow(a, b) * log(a), b_shape_);
        break;
      }
    }
    return out;
  }
  void release_saved() override {
    a_.release();
    b_.release();
  }
  SavedTensor a_, b_;

 private:
  BinaryKind kind_;
  Shape a_shape_, b_shape_;
};

Tensor binary_op(BinaryKind kind, const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(kind, a, b);
  if (auto node = ops::record<BinaryNode>(out, {&a, &b}, kind, a, b)) {
    const bool saves = kind == BinaryKind::mul || kind == BinaryKind::div || kind == BinaryKind::pow;
    if (saves) {
      node->a_ = SavedTensor(a, false);
      node->b_ = SavedTensor(b, false);
    }
  }
  ops::check_forward(binary_name(kind), out);
  return out;
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) { return binary_op(BinaryKind::add, a, b); }
Tensor sub(const Tensor& a, const Tensor& b) { return binary_op(BinaryKind::sub, a, b); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary_op(BinaryKind::mul, a, b); }
Tensor div(const Tensor& a, const Tensor& b) { return binary_op(BinaryKind::div, a, b); }
Tensor pow(const Tensor& a, const Tensor& b) { return binary_op(BinaryKind::pow, a, b); }
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
