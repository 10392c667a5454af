#pragma once
// The seam between tapegrad and oneDNN (f32 only; oneDNN has no f64). Each function
// describes memories, fetches a primitive from a per-thread cache keyed by (op,
// shapes, strides, attributes) -- creating one only on a miss -- and executes it.
#include <oneapi/dnnl/dnnl.hpp>

#include "tapegrad/tensor.hpp"

namespace tg::backend {

// Below these sizes an f32 op runs as a plain loop: a oneDNN call costs 1-2 us
// whatever the size (7 us near these sizes with 2 OpenMP threads). Measured with
// benchmarks/bench_elementwise.cpp on 2 Zen3 cores: an add loop runs at 0.1 ns per
// element and oneDNN's binary never beat it below 1M elements; the scalar expf loop
// costs 2 ns per element, so oneDNN's vectorized exp wins from ~600 elements.
inline constexpr std::int64_t kTranscendentalMinElements = 512;  // exp, log, tanh, ...
inline constexpr std::int64_t kCheapEltwiseMinElements = 1 << 16;  // affine, abs, relu
inline constexpr std::int64_t kBinaryMinElements = 1 << 20;
inline constexpr std::int64_t kReductionMinElements = 4096;

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
