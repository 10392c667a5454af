#pragma once
// oneDNN's elementwise, binary, matmul and reduction primitives for f32 (oneDNN has
// no f64), named by tapegrad's own enums. Each function describes memories, fetches
// a primitive from the primitive cache (primitive_cache.hpp) and executes it.
#include <cstdint>

#include "tapegrad/tensor.hpp"

namespace tg::kernels {

// Below these sizes an f32 op runs as a plain loop: a oneDNN call costs 1-2 us
// whatever the size (7 us near these sizes with 2 OpenMP threads). Measured with
// benchmarks/bench_elementwise.cpp on 2 Zen3 cores: an add loop runs at 0.1 ns per
// element and oneDNN's binary never beat it below 1M elements; the scalar expf loop
// costs 2 ns per element, so oneDNN's vectorized exp wins from ~600 elements.
inline constexpr std::int64_t kTranscendentalMinElements = 512;  // exp, log, tanh, ...
inline constexpr std::int64_t kCheapEltwiseMinElements = 1 << 16;  // affine, abs, relu
inline constexpr std::int64_t kBinaryMinElements = 1 << 20;
inline constexpr std::int64_t kReductionMinElements = 4096;

// Elementwise functions y = f(x; alpha, beta), as oneDNN defines them:
//   linear: alpha x + beta      relu: x > 0 ? x : alpha x    clip: min(max(x, alpha), beta)
//   pow: alpha x^beta           elu: x > 0 ? x : alpha (e^x - 1)
//   gelu_erf: x/2 (1 + erf(x/sqrt 2))    logistic: 1 / (1 + e^-x)
//   gelu_tanh: x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))    soft_relu: log(1 + e^x)
enum class Eltwise { linear, exp, log, sqrt, pow, abs, relu, tanh, logistic, elu, gelu_erf, clip, square, gelu_tanh, soft_relu };
// max and min propagate NaN from either operand (as PyTorch); pow never runs on oneDNN.
enum class Binary { add, sub, mul, div, max, min, pow };
enum class Reduction { sum, max, min };

// out (contiguous, the broadcast shape of a and b) = a (op) b, NumPy broadcasting, any
// floating dtype: oneDNN for large f32 (when a or b already has out's shape and, for
// max and min, neither holds NaN), the loops of elementwise_loops.hpp otherwise.
void binary(Binary op, const Tensor& a, const Tensor& b, const Tensor& out);

// The oneDNN primitives.
// out = f(x; alpha, beta); out is contiguous with x's shape.
void eltwise_f32(Eltwise f, float alpha, float beta, const Tensor& x, const Tensor& out);
// out = a (op) b; a has out's shape, b broadcasts to it (NumPy rules); op is not pow.
void binary_f32(Binary op, const Tensor& a, const Tensor& b, const Tensor& out);
// out[..., M, N] = a[..., M, K] x b[..., K, N]; batch dims of a and b equal out's.
void matmul_f32(const Tensor& a, const Tensor& b, const Tensor& out);
// out (same rank as x, 1 on reduced dims) = reduction of x.
void reduction_f32(Reduction op, const Tensor& x, const Tensor& out);

}  // namespace tg::kernels
