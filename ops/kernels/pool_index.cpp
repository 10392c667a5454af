#include "kernels/pool_index.hpp"

#include <algorithm>

#include "kernels/dense.hpp"
#include "tapegrad/parallel_for.hpp"

namespace tg::kernels {

namespace {

template <class T>
void scatter_planes(const Tensor& g, const Tensor& indices, const Tensor& out) {
  const std::int64_t planes = out.size(0) * out.size(1);
  const std::int64_t in_plane = out.numel() / std::max<std::int64_t>(planes, 1);
  const std::int64_t out_plane = g.numel() / std::max<std::int64_t>(planes, 1);
  const T* gp = g.data<T>();
  const std::int64_t* ip = indices.data<std::int64_t>();
  T* op = out.data<T>();
  parallel_for(planes, std::max<std::int64_t>(1, kGrainElements / std::max<std::int64_t>(1, out_plane)),
               [&](std::int64_t begin, std::int64_t end) {
                 for (std::int64_t p = begin; p < end; ++p) {
                   T* o = op + p * in_plane;
                   for (std::int64_t i = p * out_plane; i < (p + 1) * out_plane; ++i) o[ip[i]] += gp[i];
                 }
               });
}

template <class T>
void gather_planes(const Tensor& x, const Tensor& indices, const Tensor& out) {
  const std::int64_t planes = x.size(0) * x.size(1);
  const std::int64_t in_plane = x.numel() / std::max<std::int64_t>(planes, 1);
  const std::int64_t out_plane = out.numel() / std::max<std::int64_t>(planes, 1);
  const T* xp = x.data<T>();
  const std::int64_t* ip = indices.data<std::int64_t>();
  T* op = out.data<T>();
  parallel_for(planes, std::max<std::int64_t>(1, kGrainElements / std::max<std::int64_t>(1, out_plane)),
               [&](std::int64_t begin, std::int64_t end) {
                 for (std::int64_t p = begin; p < end; ++p)
                   for (std::int64_t i = p * out_plane; i < (p + 1) * out_plane; ++i) op[i] = xp[p * in_plane + ip[i]];
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
