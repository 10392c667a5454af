#include "tapegrad/nn/embedding.hpp"

#include "tapegrad/autograd.hpp"
#include "tapegrad/nn/init.hpp"
#include "tapegrad/ops/embedding.hpp"
#include "tapegrad/ops/views.hpp"

namespace tg::nn {

Embedding::Embedding(std::int64_t num_embeddings, std::int64_t embedding_dim, std::optional<std::int64_t> padding_idx,
                     Generator* gen)
    : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {
  TG_CHECK(num_embeddings > 0 && embedding_dim > 0,
           "Embedding: sizes must be positive, got num_embeddings {}, embedding_dim {}", num_embeddings, embedding_dim);
  if (padding_idx) {
    TG_CHECK(*padding_idx >= -num_embeddings && *padding_idx < num_embeddings,
             "Embedding: padding_idx {} is out of range for {} embeddings, expected [{}, {})", *padding_idx,
             num_embeddings, -num_embeddings, num_embeddings);
    padding_idx_ = *padding_idx < 0 ? *padding_idx + num_embeddings : *padding_idx;
  }
  Tensor w = normal_(empty({num_embeddings, embedding_dim}), 1.0, gen);
  if (padding_idx_) {
    NoGradGuard no_grad;
    slice(w, 0, *padding_idx_, *padding_idx_ + 1).fill_(0.0);
  }
  weight_ = register_parameter("weight", w);
}

Tensor Embedding::forward(const Tensor& indices) { return embedding(indices, weight_, padding_idx_); }

std::string Embedding::extra_repr() const {
  return fmt::format("{}, {}{}", num_embeddings_, embedding_dim_,
                     padding_idx_ ? fmt::format(", padding_idx={}", *padding_idx_) : std::string{});
}

}  // namespace tg::nn
