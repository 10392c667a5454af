#include "tapegrad/nn/flatten.hpp"

#include <vector>

#include "tapegrad/ops/views.hpp"

namespace tg::nn {

Flatten::Flatten(std::int64_t start_dim) : start_dim_(start_dim) {
  TG_CHECK(start_dim >= 0, "Flatten: start_dim must be non-negative, got {}", start_dim);
}

Tensor Flatten::forward(const Tensor& x) {
  TG_CHECK(x.dim() > start_dim_, "Flatten: input has {} dims {}, expected more than start_dim = {}", x.dim(),
           x.shape().str(), start_dim_);
  std::vector<std::int64_t> shape(x.shape().begin(), x.shape().begin() + start_dim_);
  std::int64_t joined = 1;
  for (int i = static_cast<int>(start_dim_); i < x.dim(); ++i) joined *= x.size(i);
  shape.push_back(joined);
  return reshape(x, shape);
}

std::string Flatten::extra_repr() const { return start_dim_ == 1 ? "" : fmt::format("start_dim={}", start_dim_); }

}  // namespace tg::nn
