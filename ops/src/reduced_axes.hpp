#pragma once
// Axis bookkeeping shared by the reductions (reduce.cpp, reduce_extra.cpp).
#include <cstdint>
#include <vector>

#include "tapegrad/error.hpp"
#include "tapegrad/shape.hpp"

namespace tg {

// Which axes of a rank-`rank` tensor are reduced; empty `axes` means all of them.
inline std::vector<bool> reduced_axes(const char* op, const std::vector<std::int64_t>& axes, int rank) {
  std::vector<bool> reduced(static_cast<std::size_t>(rank), axes.empty());
  for (std::int64_t a : axes) {
    const int d = normalize_axis(a, rank, op);
    TG_CHECK(!reduced[static_cast<std::size_t>(d)], "{}: axis {} is given twice", op, a);
    reduced[static_cast<std::size_t>(d)] = true;
  }
  return reduced;
}

inline Shape keepdim_shape(const Shape& in, const std::vector<bool>& reduced) {
  Shape out = in;
  for (int d = 0; d < in.size(); ++d)
    if (reduced[static_cast<std::size_t>(d)]) out[d] = 1;
  return out;
}

inline Shape dropped_shape(const Shape& in, const std::vector<bool>& reduced) {
  Shape out;
  for (int d = 0; d < in.size(); ++d)
    if (!reduced[static_cast<std::size_t>(d)]) out.push_back(in[d]);
  return out;
}

}  // namespace tg
