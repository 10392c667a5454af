#pragma once
// The numbers that fix a 2-D pooling: input and output sizes, kernel, stride and
// padding. Shared by the pooling ops, their reference kernels and the oneDNN wrappers.
#include <cstdint>

namespace tg::kernels {

struct PoolGeometry {
  std::int64_t n = 0, c = 0, h = 0, w = 0;  // input [N, C, H, W]
  std::int64_t oh = 0, ow = 0;              // output [N, C, OH, OW]
  std::int64_t kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0;

  std::int64_t planes() const { return n * c; }
  std::int64_t in_plane() const { return h * w; }
  std::int64_t out_plane() const { return oh * ow; }
};

}  // namespace tg::kernels
