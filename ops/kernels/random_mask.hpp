#pragma once
// Random 0/kept masks (bernoulli, dropout). Element i uses 32-bit word i of the
// generator's words from block first_block on (block first_block + i / 4, lane i % 4),
// so the values depend only on the generator state, never on the thread count.
#include <cstdint>

#include "tapegrad/random.hpp"
#include "tapegrad/tensor.hpp"

namespace tg::kernels {

// mask (contiguous) = kept where the element's word is below keep_probability * 2^32
// (every word when keep_probability is 1), else 0.
void bernoulli_mask(const Generator& gen, std::uint64_t first_block, double keep_probability, double kept,
                    const Tensor& mask);

}  // namespace tg::kernels
