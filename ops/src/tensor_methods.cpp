// The ops that tensor.hpp declares as Tensor methods: each is the free function of the
// same name (qualified: inside a member, an unqualified name finds the member first).
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/indexing.hpp"
#include "tapegrad/ops/matmul.hpp"
#include "tapegrad/ops/reduce.hpp"
#include "tapegrad/ops/shape_ops.hpp"
#include "tapegrad/ops/softmax.hpp"
#include "tapegrad/ops/views.hpp"

namespace tg {

using Dims = std::vector<std::int64_t>;

Tensor Tensor::sum() const { return tg::sum(*this); }
Tensor Tensor::sum(const Dims& dims, bool keepdim) const { return tg::sum(*this, dims, keepdim); }
Tensor Tensor::mean() const { return tg::mean(*this); }
Tensor Tensor::mean(const Dims& dims, bool keepdim) const { return tg::mean(*this, dims, keepdim); }
Tensor Tensor::max() const { return tg::max(*this); }
Tensor Tensor::max(const Dims& dims, bool keepdim) const { return tg::max(*this, dims, keepdim); }
Tensor Tensor::min() const { return tg::min(*this); }
Tensor Tensor::min(const Dims& dims, bool keepdim) const { return tg::min(*this, dims, keepdim); }
Tensor Tensor::argmax() const { return tg::argmax(*this); }
Tensor Tensor::argmax(std::int64_t dim, bool keepdim) const { return tg::argmax(*this, dim, keepdim); }
Tensor Tensor::argmin() const { return tg::argmin(*this); }
Tensor Tensor::argmin(std::int64_t dim, bool keepdim) const { return tg::argmin(*this, dim, keepdim); }

Tensor Tensor::reshape(const Dims& shape) const { return tg::reshape(*this, shape); }
Tensor Tensor::view(const Dims& shape) const { return tg::view(*this, shape); }
Tensor Tensor::t() const {
  TG_CHECK(dim() <= 2, "t: expected a tensor with at most 2 dims, got shape {} (use transpose(dim0, dim1))",
           shape().str());
  return dim() < 2 ? *this : tg::transpose(*this, 0, 1);
}
Tensor Tensor::transpose(std::int64_t dim0, std::int64_t dim1) const { return tg::transpose(*this, dim0, dim1); }
Tensor Tensor::permute(const Dims& dims) const { return tg::permute(*this, dims); }
Tensor Tensor::flatten(std::int64_t start_dim, std::int64_t end_dim) const {
  return tg::flatten(*this, start_dim, end_dim);
}
Tensor Tensor::squeeze(std::int64_t dim) const { return tg::squeeze(*this, dim); }
Tensor Tensor::unsqueeze(std::int64_t dim) const { return tg::unsqueeze(*this, dim); }
Tensor Tensor::expand(const Shape& shape) const { return tg::expand(*this, shape); }

Tensor Tensor::slice(std::int64_t dim, std::int64_t start, std::int64_t end, std::int64_t step) const {
  return tg::slice(*this, dim, start, end, step);
}
Tensor Tensor::select(std::int64_t dim, std::int64_t index) const { return tg::select(*this, dim, index); }
Tensor Tensor::operator[](std::int64_t index) const { return tg::select(*this, 0, index); }
Tensor Tensor::index_select(std::int64_t dim, const Tensor& indices) const {
  return tg::index_select(*this, dim, indices);
}

Tensor Tensor::neg() const { return tg::neg(*this); }
Tensor Tensor::abs() const { return tg::abs(*this); }
Tensor Tensor::exp() const { return tg::exp(*this); }
Tensor Tensor::log() const { return tg::log(*this); }
Tensor Tensor::sqrt() const { return tg::sqrt(*this); }
Tensor Tensor::square() const { return tg::square(*this); }
Tensor Tensor::pow(double exponent) const { return tg::pow(*this, exponent); }
Tensor Tensor::pow(const Tensor& exponent) const { return tg::pow(*this, exponent); }
Tensor Tensor::clamp(double lo, double hi) const { return tg::clamp(*this, lo, hi); }
Tensor Tensor::relu() const { return tg::relu(*this); }
Tensor Tensor::sigmoid() const { return tg::sigmoid(*this); }
Tensor Tensor::tanh() const { return tg::tanh(*this); }
Tensor Tensor::softmax(std::int64_t dim) const { return tg::softmax(*this, dim); }
Tensor Tensor::log_softmax(std::int64_t dim) const { return tg::log_softmax(*this, dim); }
Tensor Tensor::matmul(const Tensor& other) const { return tg::matmul(*this, other); }

}  // namespace tg
