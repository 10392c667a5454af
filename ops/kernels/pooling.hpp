#pragma once
// Pooling kernels over [N, C, H, W] (any layout; outputs contiguous): oneDNN for f32
// from kPoolMinElements on (dnnl_pooling.cpp), the loops of pooling_reference.hpp
// for f64, small f32 and f32 max pooling of inputs holding NaN (oneDNN drops NaN).
#include "kernels/pool_geometry.hpp"
#include "tapegrad/tensor.hpp"

namespace tg::kernels {

// Below this many input elements f32 pooling runs on the reference loops. Measured on
// 2 cores (max/avg pool k2, forward): the loops cost 2.2 us + 2.3 ns per element; a
// oneDNN call 2.7 us at 512-2048 elements with 1 thread (crossover near 512), but
// about 7 us with 2 OpenMP threads, which moves the crossover to a few thousand.
inline constexpr std::int64_t kPoolMinElements = 4096;

// max: the window's maximum; avg_include_pad: its sum over kh * kw; avg_exclude_pad:
// its sum over the window's elements inside the input.
enum class Pool { max, avg_include_pad, avg_exclude_pad };

// What max pooling's backward needs, one of: oneDNN's workspace (f32 on oneDNN); the
// byte positions of 2x2 windows' maxima (max_pool_2x2.hpp; raw bytes in an i64 tensor);
// the flat position in its plane of each window's first maximum (i64, output's shape).
struct MaxPoolSaved {
  Tensor workspace, positions, indices;
};
// y = the maximum of each window of x (NaN wins and stays); with for_backward, also
// what max_pool_backward needs.
MaxPoolSaved max_pool_forward(const PoolGeometry& g, const Tensor& x, const Tensor& y, bool for_backward);
// The positions of each window's first maximum (i64 [N, C, OH, OW]), on the loops.
Tensor max_pool_argmax(const PoolGeometry& g, const Tensor& x);
// Whether max_pool_backward_recorded can route a gradient of dtype dy_dtype: saved holds
// the 2x2 positions, or oneDNN's workspace for f32.
bool max_pool_has_record(const MaxPoolSaved& saved, DType dy_dtype);
// dx (contiguous [N, C, H, W]) = dy routed through oneDNN's workspace or the 2x2
// positions; only when max_pool_has_record(saved, dy.dtype()).
void max_pool_backward_recorded(const PoolGeometry& g, const Tensor& dy, const MaxPoolSaved& saved, const Tensor& dx);

// y = the mean of each window of x; include_pad divides by kh * kw, else by the
// number of the window's elements inside the input.
void avg_pool_forward(const PoolGeometry& g, bool include_pad, const Tensor& x, const Tensor& y);
// The adjoint of avg_pool_forward: each dy spread evenly over its window, as a new
// contiguous [N, C, H, W] tensor.
Tensor avg_pool_backward(const PoolGeometry& g, bool include_pad, const Tensor& dy);

// The oneDNN primitives. y = pooling of x. For max pooling, a non-null workspace asks for the training
// forward: it receives oneDNN's opaque record of where the maxima were (raw bytes in
// an i64 tensor), which pool_backward_f32 needs.
void pool_forward_f32(Pool kind, const PoolGeometry& geometry, const Tensor& x, const Tensor& y, Tensor* workspace);
// dx = gradient of the pooling for dy; workspace from pool_forward_f32 (max only).
void pool_backward_f32(Pool kind, const PoolGeometry& geometry, const Tensor& dy, const Tensor& dx,
                       const Tensor& workspace);

}  // namespace tg::kernels
