#pragma once
// A lookup table of learned vectors (tapegrad/ops/embedding.hpp).
#include <cstdint>
#include <optional>

#include "tapegrad/nn/module.hpp"
#include "tapegrad/random.hpp"

namespace tg::nn {

// forward(indices i64 of any shape) = the rows of "weight" [num_embeddings, embedding_dim]
// they select, shape indices.shape + [embedding_dim]. weight starts N(0, 1) (PyTorch's
// default); the row padding_idx (negative counts from the end) starts at zero and gets
// no gradient.
class Embedding : public Module {
 public:
  Embedding(std::int64_t num_embeddings, std::int64_t embedding_dim,
            std::optional<std::int64_t> padding_idx = std::nullopt, Generator* gen = nullptr);
  Tensor forward(const Tensor& indices) override;
  std::string type_name() const override { return "Embedding"; }
  std::string extra_repr() const override;
  std::int64_t num_embeddings() const { return num_embeddings_; }
  std::int64_t embedding_dim() const { return embedding_dim_; }
  std::optional<std::int64_t> padding_idx() const { return padding_idx_; }  // normalized to [0, num)
  const Tensor& weight() const { return weight_; }

 private:
  std::int64_t num_embeddings_, embedding_dim_;
  std::optional<std::int64_t> padding_idx_;
  Tensor weight_;
};

}  // namespace tg::nn
