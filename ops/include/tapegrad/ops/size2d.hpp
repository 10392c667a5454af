#pragma once
#include <cstdint>

namespace tg {

// A (height, width) pair for kernels, strides, padding and dilation; one number
// means the same for both.
struct Size2d {
  std::int64_t h = 0, w = 0;
  constexpr Size2d() = default;
  constexpr Size2d(std::int64_t both) : h(both), w(both) {}  // NOLINT: implicit on purpose
  constexpr Size2d(std::int64_t height, std::int64_t width) : h(height), w(width) {}
  friend bool operator==(const Size2d&, const Size2d&) = default;
};

}  // namespace tg
