// Matrix product, 2-D and batched with broadcast batch dims. f32 on oneDNN's matmul
// primitive, f64 on a reference loop. Backward: dA = dC B^T, dB = A^T dC, summed over
// broadcast batch dims.
#include "kernels/matmul.hpp"
#include "op_pattern.hpp"
#include "tapegrad/ops/matmul.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/reduce.hpp"
#include "tapegrad/ops/views.hpp"

namespace tg {

namespace {

Shape batch_of(const Tensor& t) {
  Shape s;
  for (int d = 0; d + 2 < t.dim(); ++d) s.push_back(t.shape()[d]);
  return s;
}

Shape with_matrix(Shape batch, std::int64_t rows, std::int64_t cols) {
  batch.push_back(rows);
  batch.push_back(cols);
  return batch;
}

// a [..., M, K] x b [..., K, N] with at least 2 dims each (matmul handles vectors and
// checks the shapes); batch is the broadcast of their batch dims.
struct Matmul {
  static constexpr const char* name = "matmul";
  static constexpr std::size_t num_saved = 2;  // a, b
  Shape batch;
  Shape a_shape{}, b_shape{};  // set by save

  Tensor forward(const Tensor& a, const Tensor& b) const {
    const std::int64_t M = a.size(-2), K = a.size(-1), N = b.size(-1);
    Tensor ea, eb;
    {
      NoGradGuard no_grad;  // the expanded views are only for the kernel
      ea = expand(a, with_matrix(batch, M, K));
      eb = expand(b, with_matrix(batch, K, N));
    }
    Tensor out = empty(with_matrix(batch, M, N), a.dtype());
    kernels::matmul(ea, eb, out);
    return out;
  }
  void save(ops::OpContext& ctx, const Tensor& a, const Tensor& b, const Tensor&) {
    a_shape = a.shape();
    b_shape = b.shape();
    ctx.save(0, a);
    ctx.save(1, b);
  }
  TensorList backward(const ops::OpContext& ctx, const Tensor& g) const {
    return ops::grads(
        ctx.needs_input_grad(0) ? sum_to(matmul(g, transpose(ctx.saved(1), -1, -2)), a_shape) : Tensor{},
        ctx.needs_input_grad(1) ? sum_to(matmul(transpose(ctx.saved(0), -1, -2), g), b_shape) : Tensor{});
  }
};

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  ops::check_floating("matmul", a);
  ops::check_same_dtype("matmul", a, b);
  TG_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: both operands need at least 1 dim, got {} x {}",
           a.shape().str(), b.shape().str());
  if (a.dim() == 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (b.dim() == 1) return squeeze(matmul(a, unsqueeze(b, -1)), -1);
  TG_CHECK(b.size(-2) == a.size(-1), "matmul: inner dimensions differ: {} x {}", a.shape().str(), b.shape().str());
  return ops::apply(Matmul{broadcast_shapes(batch_of(a), batch_of(b), "matmul (batch dims)")}, a, b);
}

namespace {

OpTableEntry matmul_entry() {
  OpTableEntry e;
  e.name = "matmul";
  e.fn = [](const std::vector<Tensor>& x) { return matmul(x[0], x[1]); };
  e.samples = [](Generator& g) -> std::vector<OpSample> {
    return {
        {"[3, 4] x [4, 5]", {sample_normal(g, {3, 4}), sample_normal(g, {4, 5})}},
        {"[1, 7] x [7, 1]", {sample_normal(g, {1, 7}), sample_normal(g, {7, 1})}},
        {"transposed [3, 4] x [4, 2]", {sample_normal(g, {4, 3}), sample_normal(g, {4, 2})}, {0}},
        {"batched [2, 3, 4] x [2, 4, 5]", {sample_normal(g, {2, 3, 4}), sample_normal(g, {2, 4, 5})}},
        {"broadcast batch [2, 1, 3, 4] x [3, 4, 2]", {sample_normal(g, {2, 1, 3, 4}), sample_normal(g, {3, 4, 2})}},
        {"vector [4] x [4, 3]", {sample_normal(g, {4}), sample_normal(g, {4, 3})}},
        {"[3, 4] x vector [4]", {sample_normal(g, {3, 4}), sample_normal(g, {4})}},
        {"empty inner [2, 0] x [0, 4]", {sample_normal(g, {2, 0}), sample_normal(g, {0, 4})}},
        {"empty rows [0, 3] x [3, 4]", {sample_normal(g, {0, 3}), sample_normal(g, {3, 4})}},
        {"empty columns [2, 3] x [3, 0]", {sample_normal(g, {2, 3}), sample_normal(g, {3, 0})}},
        {"empty batch [0, 2, 3] x [3, 4]", {sample_normal(g, {0, 2, 3}), sample_normal(g, {3, 4})}},
    };
  };
  return e;
}
const OpRegistration reg_matmul([] {
  OpTableEntry e = matmul_entry();
  e.f32_tolerance = 1e-4;
  e.large_samples = [](Generator& g) -> std::vector<OpSample> {
    return {{"[64, 300] x [300, 70]", {sample_normal(g, {64, 300}), sample_normal(g, {300, 70})}},
            {"batched [4, 30, 50] x [50, 20]", {sample_normal(g, {4, 30, 50}), sample_normal(g, {50, 20})}},
            {"empty inner [64, 0] x [0, 70]", {sample_normal(g, {64, 0}), sample_normal(g, {0, 70})}},
            {"empty rows [0, 300] x [300, 70]", {sample_normal(g, {0, 300}), sample_normal(g, {300, 70})}}};
  };
  return e;
}());

}  // namespace

}  // namespace tg
