// embedding: rows of a table read through i64 indices. Two ops, each the other's
// gradient: Embedding reads rows (weight -> [M, D]); EmbeddingBackward adds rows into
// a zero table ([M, D] -> [num, D]), skipping the padding index. The gradient of
// EmbeddingBackward reads rows again, with the padding rows zero (they received
// nothing), so Embedding has that form too (zero_padding).
#include <utility>

#include "kernels/embedding.hpp"
#include "op_pattern.hpp"
#include "tapegrad/ops/embedding.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/views.hpp"

namespace tg {

namespace {

constexpr std::int64_t kNoPadding = -1;

Tensor embedding_backward(const Tensor& g, Tensor indices, std::int64_t num, std::int64_t pad);

// Input: weight [num, D]; indices [M] (contiguous i64) a member moved into slot 0 by save.
struct Embedding {
  static constexpr const char* name = "embedding";
  static constexpr std::size_t num_saved = 1;
  Tensor indices;
  std::int64_t pad;
  bool zero_padding;
  std::int64_t num = 0;  // set by forward
  Tensor forward(const Tensor& weight) {
    num = weight.size(0);
    Tensor out = empty(Shape{indices.numel(), weight.size(1)}, weight.dtype());
    kernels::embedding_rows(weight, indices, pad, zero_padding, out);
    return out;
  }
  void save(ops::OpContext& ctx, const Tensor&, const Tensor&) { ctx.save(0, std::exchange(indices, {})); }
  TensorList backward(const ops::OpContext& ctx, const Tensor& g) const {
    return ops::grads(embedding_backward(g, ctx.saved(0), num, pad));
  }
};

// Input: g [M, D]; output [num, D].
struct EmbeddingBackward {
  static constexpr const char* name = "embedding_backward";
  static constexpr std::size_t num_saved = 1;
  Tensor indices;
  std::int64_t num, pad;
  Tensor forward(const Tensor& g) const {
    Tensor out = empty(Shape{num, g.size(1)}, g.dtype());
    kernels::embedding_accumulate(g, indices, pad, out);
    return out;
  }
  void save(ops::OpContext& ctx, const Tensor&, const Tensor&) { ctx.save(0, std::exchange(indices, {})); }
  TensorList backward(const ops::OpContext& ctx, const Tensor& gg) const {
    return ops::grads(ops::apply(Embedding{ctx.saved(0), pad, true}, gg));
  }
};

Tensor embedding_backward(const Tensor& g, Tensor indices, std::int64_t num, std::int64_t pad) {
  return ops::apply(EmbeddingBackward{std::move(indices), num, pad}, g);
}

}  // namespace

Tensor embedding(const Tensor& indices, const Tensor& weight, std::optional<std::int64_t> padding_idx) {
  ops::check_floating("embedding", weight);
  TG_CHECK(weight.dim() == 2, "embedding: weight has {} dims {}, expected 2 (num_embeddings, embedding_dim)",
           weight.dim(), weight.shape().str());
  TG_CHECK(indices.dtype() == i64, "embedding: indices must be an i64 tensor, got {} of shape {}",
           dtype_name(indices.dtype()), indices.shape().str());
  TG_CHECK(indices.dim() < kMaxDims, "embedding: indices have {} dims {}, at most {} are supported", indices.dim(),
           indices.shape().str(), kMaxDims - 1);
  const std::int64_t num = weight.size(0);
  std::int64_t pad = kNoPadding;
  if (padding_idx) {
    TG_CHECK(*padding_idx >= -num && *padding_idx < num,
             "embedding: padding_idx {} is out of range for {} embeddings (weight {}), expected [{}, {})", *padding_idx,
             num, weight.shape().str(), -num, num);
    pad = *padding_idx < 0 ? *padding_idx + num : *padding_idx;
  }
  Tensor flat = indices.contiguous().detach();
  flat = make_view(flat, Shape{flat.numel()}, Shape{1}, flat.offset());
  const std::int64_t* idx = flat.data<std::int64_t>();
  for (std::int64_t i = 0; i < flat.numel(); ++i)
    TG_CHECK(idx[i] >= 0 && idx[i] < num,
             "embedding: index {} at position {} of indices {} is out of range for {} embeddings, expected [0, {})",
             idx[i], i, indices.shape().str(), num, num);
  Shape out_shape = indices.shape();
  out_shape.push_back(weight.size(1));
  return reshape(ops::apply(Embedding{std::move(flat), pad, false}, weight), out_shape.to_vector());
}

// --- op table entries
namespace {

Tensor ints(std::vector<std::int64_t> v, const Shape& shape) { return from_vector(v, shape); }

// Inputs: weight, indices.
OpTableEntry embedding_entry(const char* name, std::optional<std::int64_t> pad) {
  OpTableEntry e;
  e.name = name;
  // With a padding index the padding row gets no gradient although the output reads it:
  // the sample zeroes that row first (a constant mask), so the numeric gradient is 0 too.
  e.fn = [pad](const std::vector<Tensor>& xs) {
    if (!pad) return embedding(xs[1], xs[0]);
    const std::int64_t num = xs[0].size(0);
    std::vector<double> keep(static_cast<std::size_t>(num), 1.0);
    keep[static_cast<std::size_t>(*pad)] = 0;
    return embedding(xs[1], xs[0] * from_vector(keep, Shape{num, 1}).to(xs[0].dtype()), pad);
  };
  e.samples = [](Generator& g) -> std::vector<OpSample> {
    return {{"[5, 3] table, [6] indices with repeats", {sample_normal(g, {5, 3}), ints({0, 1, 4, 1, 2, 1}, {6})}},
            {"[4, 2] table, [2, 3] indices", {sample_normal(g, {4, 2}), ints({3, 0, 1, 1, 2, 3}, {2, 3})}},
            {"[3, 1] table, scalar index", {sample_normal(g, {3, 1}), ints({2}, {})}},
            {"transposed view [4, 3] table", {sample_normal(g, {3, 4}), ints({1, 3, 1, 0}, {4})}, {0}},
            {"no indices [0]", {sample_normal(g, {4, 3}), ints({}, {0})}},
            {"empty rows [4, 0]", {sample_normal(g, {4, 0}), ints({1, 2}, {2})}}};
  };
  e.large_samples = [](Generator& g) -> std::vector<OpSample> {
    std::vector<std::int64_t> idx;
    for (std::int64_t i = 0; i < 4096; ++i) idx.push_back((i * 7919) % 1000);
    return {{"[1000, 64] table, [64, 64] indices", {sample_normal(g, {1000, 64}), ints(idx, {64, 64})}},
            {"no indices [0, 64]", {sample_normal(g, {1000, 64}), ints({}, {0, 64})}}};
  };
  return e;
}

const OpRegistration reg_embedding(embedding_entry("embedding", std::nullopt));
const OpRegistration reg_embedding_padding(embedding_entry("embedding_padding_idx", 1));

}  // namespace

}  // namespace tg
