// Pooling kernels: the choice between oneDNN and the reference loops.
#include <utility>

#include "kernels/dense.hpp"
#include "kernels/max_pool_2x2.hpp"
#include "kernels/nan.hpp"
#include "kernels/pooling.hpp"
#include "kernels/pooling_reference.hpp"

namespace tg::kernels {

namespace {

Shape output_shape(const PoolGeometry& g) { return {g.n, g.c, g.oh, g.ow}; }
Shape input_shape(const PoolGeometry& g) { return {g.n, g.c, g.h, g.w}; }

bool on_dnnl(const Tensor& x) { return x.dtype() == f32 && x.numel() >= kPoolMinElements; }
// oneDNN's max pooling drops NaN; the reference keeps it.
bool max_on_dnnl(const Tensor& x) { return on_dnnl(x) && !f32_has_nan(x); }

Pool avg_kind(bool include_pad) { return include_pad ? Pool::avg_include_pad : Pool::avg_exclude_pad; }

}  // namespace

MaxPoolSaved max_pool_forward(const PoolGeometry& g, const Tensor& x, const Tensor& y, bool for_backward) {
  const Tensor xc = dense(x);
  MaxPoolSaved saved;
  if (is_max_pool_2x2(g)) {
    std::uint8_t* positions = nullptr;
    if (for_backward) {
      saved.positions = empty({(g.planes() * g.out_plane() + 7) / 8}, i64);
      positions = static_cast<std::uint8_t*>(saved.positions.raw_data());
    }
    max_pool_2x2_forward(g, xc, y, positions);
    return saved;
  }
  if (max_on_dnnl(x)) {
    pool_forward_f32(Pool::max, g, xc, y, for_backward ? &saved.workspace : nullptr);
    return saved;
  }
  if (for_backward) saved.indices = empty(output_shape(g), i64);
  dispatch_floating(x.dtype(), [&](auto t) {
    using T = decltype(t);
    max_pool_reference<T>(g, xc.data<T>(), y.data<T>(), for_backward ? saved.indices.data<std::int64_t>() : nullptr);
  });
  return saved;
}

Tensor max_pool_argmax(const PoolGeometry& g, const Tensor& x) {
  const Tensor xc = dense(x);
  Tensor y = empty(output_shape(g), x.dtype()), indices = empty(output_shape(g), i64);
  dispatch_floating(x.dtype(), [&](auto t) {
    using T = decltype(t);
    max_pool_reference<T>(g, xc.data<T>(), y.data<T>(), indices.data<std::int64_t>());
  });
  return indices;
}

bool max_pool_has_record(const MaxPoolSaved& saved, DType dy_dtype) {
  return saved.positions.defined() || (saved.workspace.defined() && dy_dtype == f32);
}

void max_pool_backward_recorded(const PoolGeometry& g, const Tensor& dy, const MaxPoolSaved& saved, const Tensor& dx) {
  if (saved.positions.defined()) {
    max_pool_2x2_backward(g, dense(dy), static_cast<const std::uint8_t*>(saved.positions.raw_data()), dx);
  } else {
    pool_backward_f32(Pool::max, g, dense(dy), dx, saved.workspace);
  }
}

void avg_pool_forward(const PoolGeometry& g, bool include_pad, const Tensor& x, const Tensor& y) {
  const Tensor xc = dense(x);
  if (on_dnnl(x)) {
    pool_forward_f32(avg_kind(include_pad), g, xc, y, nullptr);
    return;
  }
  dispatch_floating(x.dtype(), [&](auto t) {
    using T = decltype(t);
    avg_pool_reference<T>(g, include_pad, xc.data<T>(), y.data<T>());
  });
}

Tensor avg_pool_backward(const PoolGeometry& g, bool include_pad, const Tensor& dy) {
  const Tensor dyc = dense(dy);
  if (dy.dtype() == f32 && g.n * g.c * g.h * g.w >= kPoolMinElements) {
    Tensor dx = empty(input_shape(g), f32);
    pool_backward_f32(avg_kind(include_pad), g, dyc, dx, Tensor{});
    return dx;
  }
  Tensor dx = zeros(input_shape(g), dy.dtype());
  dispatch_floating(dy.dtype(), [&](auto t) {
    using T = decltype(t);
    avg_pool_backward_reference<T>(g, include_pad, dyc.data<T>(), dx.data<T>());
  });
  return dx;
}

}  // namespace tg::kernels
