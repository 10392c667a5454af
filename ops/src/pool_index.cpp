#include "pool_index.hpp"

#include <algorithm>
#include <numeric>
#include <utility>

#include "kernels/pool_index.hpp"
#include "op_pattern.hpp"

namespace tg::ops {

namespace {

// The two ops hold their indices (our own, never written after the pooling's forward:
// no version check needed) and apply each other in backward.
struct IndexScatter {
  const char* name;  // names.scatter
  IndexOpNames names;
  Tensor indices;
  Shape input_shape;
  Tensor computed;  // the scatter already computed elsewhere, or undefined
  Tensor forward(const Tensor& g) {
    if (computed.defined()) return std::exchange(computed, {});
    Tensor out = zeros(input_shape, g.dtype());
    kernels::scatter_add_by_index(g, indices, out);
    return out;
  }
  TensorList backward(const OpContext&, const Tensor& g) const { return grads(index_gather(g, indices, names)); }
  void release() { indices = Tensor{}; }
};

struct IndexGather {
  const char* name;  // names.gather
  IndexOpNames names;
  Tensor indices;
  Shape input_shape{};
  Tensor forward(const Tensor& x) {
    input_shape = x.shape();
    Tensor out = empty(indices.shape(), x.dtype());
    kernels::gather_by_index(x, indices, out);
    return out;
  }
  TensorList backward(const OpContext&, const Tensor& g) const {
    return grads(index_scatter(g, indices, input_shape, names));
  }
  void release() { indices = Tensor{}; }
};

}  // namespace

Tensor dense(const Tensor& t) {
  if (t.is_contiguous()) return t;
  NoGradGuard no_grad;
  return t.contiguous();
}

Tensor index_scatter(const Tensor& g, const Tensor& indices, const Shape& input_shape, IndexOpNames names,
                     Tensor computed) {
  return apply(IndexScatter{names.scatter, names, indices, input_shape, std::move(computed)}, g);
}

Tensor index_gather(const Tensor& x, const Tensor& indices, IndexOpNames names) {
  return apply(IndexGather{names.gather, names, indices}, x);
}

Tensor sample_distinct(Generator& gen, const Shape& shape) {
  const std::int64_t n = shape.numel();
  const std::vector<double> keys = uniform(shape, 0.0, 1.0, f64, &gen).to_vector<double>();
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::int64_t a, std::int64_t b) {
    return keys[static_cast<std::size_t>(a)] < keys[static_cast<std::size_t>(b)];
  });
  std::vector<double> values(static_cast<std::size_t>(n));
  for (std::int64_t rank = 0; rank < n; ++rank)
    values[static_cast<std::size_t>(order[static_cast<std::size_t>(rank)])] =
        -1.0 + 2.0 * static_cast<double>(rank) / static_cast<double>(n);
  return from_vector(values, shape);
}

}  // namespace tg::ops
