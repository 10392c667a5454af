#include "pool_index.hpp"

#include <algorithm>
#include <numeric>

#include "kernels/pool_index.hpp"
#include "op_util.hpp"

namespace tg::ops {

namespace {

class IndexScatterNode final : public Node {
 public:
  IndexScatterNode(Tensor indices, IndexOpNames names) : indices_(std::move(indices)), names_(names) {}
  const char* name() const override { return names_.scatter; }
  TensorList apply(TensorList&& grads) override {
    TensorList out;
    out.push_back(index_gather(grads[0], indices_, names_));
    return out;
  }
  void release_saved() override { indices_ = Tensor{}; }

 private:
  Tensor indices_;  // our own, never written after the forward: no version check needed
  IndexOpNames names_;
};

class IndexGatherNode final : public Node {
 public:
  IndexGatherNode(Tensor indices, Shape input_shape, IndexOpNames names)
      : indices_(std::move(indices)), input_shape_(input_shape), names_(names) {}
  const char* name() const override { return names_.gather; }
  TensorList apply(TensorList&& grads) override {
    TensorList out;
    out.push_back(index_scatter(grads[0], indices_, input_shape_, names_));
    return out;
  }
  void release_saved() override { indices_ = Tensor{}; }

 private:
  Tensor indices_;
  Shape input_shape_;
  IndexOpNames names_;
};

}  // namespace

Tensor dense(const Tensor& t) {
  if (t.is_contiguous()) return t;
  NoGradGuard no_grad;
  return t.contiguous();
}

Tensor index_scatter(const Tensor& g, const Tensor& indices, const Shape& input_shape, IndexOpNames names) {
  Tensor out = zeros(input_shape, g.dtype());
  kernels::scatter_add_by_index(g, indices, out);
  record_index_scatter(out, g, indices, names);
  check_forward(names.scatter, out);
  return out;
}

void record_index_scatter(const Tensor& out, const Tensor& g, const Tensor& indices, IndexOpNames names) {
  ops::record<IndexScatterNode>(out, {&g}, indices, names);
}

Tensor index_gather(const Tensor& x, const Tensor& indices, IndexOpNames names) {
  Tensor out = empty(indices.shape(), x.dtype());
  kernels::gather_by_index(x, indices, out);
  ops::record<IndexGatherNode>(out, {&x}, indices, x.shape(), names);
  check_forward(names.gather, out);
  return out;
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
