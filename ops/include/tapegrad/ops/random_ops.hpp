#pragma once
// Random ops on the counter-based streams of tapegrad/random.hpp: value i of a draw
// depends only on (seed, offset + i), so results do not depend on the thread count.
// A null generator means the calling thread's default generator.
#include "tapegrad/random.hpp"
#include "tapegrad/tensor.hpp"

namespace tg {

// 1 with probability p, else 0 (p in [0, 1]). The same generator state gives the same
// mask in every dtype.
Tensor bernoulli(const Shape& shape, double p, DType dtype = f32, Generator* gen = nullptr);

// Inverted dropout: in training, each element is zeroed with probability p and the
// kept ones are scaled by 1 / (1 - p); in eval (training = false) x itself. p = 0 gives
// x, p = 1 zeros. An error when p is outside [0, 1].
Tensor dropout(const Tensor& x, double p = 0.5, bool training = true, Generator* gen = nullptr);

// In-place fills (not recorded; they bump t's version counter). Returns t. Values are
// those of tg::uniform / tg::randn for the same generator state. Errors: low > high,
// non-finite bounds, mean or std, std < 0, and a t that requires grad outside
// NoGradGuard (check_inplace_allowed).
Tensor uniform_(const Tensor& t, double low = 0.0, double high = 1.0, Generator* gen = nullptr);
Tensor normal_(const Tensor& t, double mean = 0.0, double std = 1.0, Generator* gen = nullptr);

}  // namespace tg
