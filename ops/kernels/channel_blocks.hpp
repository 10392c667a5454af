#pragma once
// Activations between plain NCHW and oneDNN's channel-blocked layout nChw16c ("aBcd16b":
// [N][C/16][H][W][16]), the layout its AVX-512 convolutions choose. oneDNN's own reorder
// for these shapes (14x14 or 28x28 planes) ran at about a tenth of the memory bandwidth
// on the CNN benchmark; these copy 16x16 tiles through registers.
#include <cstdint>

namespace tg::kernels {

// Whether this build has the tile copies (AVX-512); without them callers use oneDNN.
bool has_channel_block_copies();

// C must be a multiple of 16 (no padded channels). hw = H * W. Both run in parallel
// over (image, channel block).
void nchw_to_blocked16(const float* plain, float* blocked, std::int64_t n, std::int64_t c, std::int64_t hw);
void blocked16_to_nchw(const float* blocked, float* plain, std::int64_t n, std::int64_t c, std::int64_t hw);

}  // namespace tg::kernels
