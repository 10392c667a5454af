#include "kernels/pool_index.hpp"

#include <algorithm>

#include "kernels/dense.hpp"
#include "tapegrad/parallel_for.hpp"

namespace tg::kernels {

namespace {

// Planes of [N, C, H, W] (input side) and [N, C, OH, OW] (output side) tensors, and
// the grain of parallel_for over them.
struct Planes {
  std::int64_t count, in, out, grain;
};
Planes planes_of(const Tensor& input_side, const Tensor& output_side) {
  const std::int64_t count = input_side.size(0) * input_side.size(1);
  const std::int64_t in = input_side.numel() / std::max<std::int64_t>(count, 1);
  const std::int64_t out = output_side.numel() / std::max<std::int64_t>(count, 1);
  return {count, in, out, std::max<std::int64_t>(1, kGrainElements / std::max<std::int64_t>(1, out))};
}

template <class T>
void scatter_planes(const Tensor& g, const Tensor& indices, const Tensor& out) {
  const Planes pl = planes_of(out, g);
  const T* gp = g.data<T>();
  const std::int64_t* ip = indices.data<std::int64_t>();
  T* op = out.data<T>();
  parallel_for(pl.count, pl.grain, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t p = begin; p < end; ++p) {
      T* o = op + p * pl.in;
      for (std::int64_t i = p * pl.out; i < (p + 1) * pl.out; ++i) o[ip[i]] += gp[i];
    }
  });
}

template <class T>
void gather_planes(const Tensor& x, const Tensor& indices, const Tensor& out) {
  const Planes pl = planes_of(x, out);
  const T* xp = x.data<T>();
  const std::int64_t* ip = indices.data<std::int64_t>();
  T* op = out.data<T>();
  parallel_for(pl.count, pl.grain, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t p = begin; p < end; ++p)
      for (std::int64_t i = p * pl.out; i < (p + 1) * pl.out; ++i) op[i] = xp[p * pl.in + ip[i]];
  });
}

}  // namespace

void scatter_add_by_index(const Tensor& g, const Tensor& indices, const Tensor& out) {
  const Tensor gc = dense(g);
  dispatch_floating(g.dtype(), [&](auto t) { scatter_planes<decltype(t)>(gc, indices, out); });
}

void gather_by_index(const Tensor& x, const Tensor& indices, const Tensor& out) {
  const Tensor xc = dense(x);
  dispatch_floating(x.dtype(), [&](auto t) { gather_planes<decltype(t)>(xc, indices, out); });
}

}  // namespace tg::kernels
