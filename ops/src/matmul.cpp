// Matrix product, 2-D and batched with broadcast batch dims. f32 on oneDNN's matmul
// primitive, f64 on a reference loop. Backward: dA = dC B^T, dB = A^T dC, summed over
// broadcast batch dims.
#include "kernels/matmul.hpp"
#include "op_util.hpp"
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

class MatmulNode final : public Node {
 public:
  MatmulNode(const Tensor& a, const Tensor& b) : a_(a, false), b_(b, false), a_shape_(a.shape()), b_shape_(b.shape()) {}
  const char* name() const override { return "matmul"; }
  TensorList apply(TensorList&& grads) override {
    const Tensor& g = grads[0];
    TensorList out;
    out.resize(2);
    if (edges()[0].valid()) out[0] = sum_to(matmul(g, transpose(b_.unpack(*this), -1, -2)), a_shape_);
    if (edges()[1].valid()) out[1] = sum_to(matmul(transpose(a_.unpack(*this), -1, -2), g), b_shape_);
    return out;
  }
  void release_saved() override {
    a_.release();
    b_.release();
  }

 private:
  SavedTensor a_, b_;
  Shape a_shape_, b_shape_;
};

}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  ops::check_floating("matmul", a);
  ops::check_same_dtype("matmul", a, b);
  TG_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: both operands need at least 1 dim, got {} x {}",
           a.shape().str(), b.shape().str());
  if (a.dim() == 1) return squeeze(matmul(unsqueeze(a, 0), b), -2);
  if (b.dim() == 1) return squeeze(matmul(a, unsqueeze(b, -1)), -1);
  const std::int64_t M = a.size(-2), K = a.size(-1), N = b.size(-1);
  TG_CHECK(b.size(-2) == K, "matmul: inner dimensions differ: {} x {}", a.shape().str(), b.shape().str());
  const Shape batch = broadcast_shapes(batch_of(a), batch_of(b), "matmul (batch dims)");
  Tensor ea, eb;
  {
    NoGradGuard no_grad;  // the expanded views are only for the kernel
    ea = expand(a, with_matrix(batch, M, K));
    eb = expand(b, with_matrix(batch, K, N));
  }
  Tensor out = empty(with_matrix(batch, M, N), a.dtype());
  kernels::matmul(ea, eb, out);
  ops::record<MatmulNode>(out, {&a, &b}, a, b);
  ops::check_forward("matmul", out);
  return out;
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
