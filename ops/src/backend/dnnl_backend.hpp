#pragma once
// The seam between tapegrad and oneDNN (f32 only; oneDNN has no f64). Each function
// describes memories, fetches a primitive from a per-thread cache keyed by (op,
// shapes, strides, attributes) -- creating one only on a miss -- and executes it.
#include <oneapi/dnnl/dnnl.hpp>

#include "tapegrad/tensor.hpp"

namespace tg::backend {

// Below this many elements an elementwise op runs as a plain loop: a oneDNN call
// costs about a microsecond whatever the size.
inline constexpr std::int64_t kEltwiseMinElements = 4096;

// out = alg(x; alpha, beta); out is contiguous with x's shape.
void eltwise_f32(dnnl::algorithm alg, float alpha, float beta, const Tensor& x, const Tensor& out);
// out = a (alg) b; a has out's shape, b broadcasts to it (NumPy rules).
void binary_f32(dnnl::algorithm alg, const Tensor& a, const Tensor& b, const Tensor& out);
// out[..., M, N] = a[..., M, K] x b[..., K, N]; batch dims of a and b equal out's.
void matmul_f32(const Tensor& a, const Tensor& b, const Tensor& out);
// out (same rank as x, 1 on reduced dims) = reduction of x.
void reduction_f32(dnnl::algorithm alg, const Tensor& x, const Tensor& out);

// Number of primitives created so far on this thread (tests check the cache works).
std::int64_t primitives_created();

}  // namespace tg::backend
