#pragma once
// Axis bookkeeping shared by the reductions (reduce.cpp, reduce_extreme.cpp,
// reduce_statistics.cpp).
#include <cstdint>
#include <vector>

#include "tapegrad/error.hpp"
#include "tapegrad/shape.hpp"
#include "tapegrad/tensor.hpp"

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

// The number of elements each reduction combines.
inline std::int64_t reduced_count(const Shape& in, const std::vector<bool>& reduced) {
  std::int64_t count = 1;
  for (int d = 0; d < in.size(); ++d)
    if (reduced[static_cast<std::size_t>(d)]) count *= in[d];
  return count;
}

inline std::vector<std::int64_t> axis_list(const std::vector<bool>& reduced) {
  std::vector<std::int64_t> axes;
  for (std::size_t d = 0; d < reduced.size(); ++d)
    if (reduced[d]) axes.push_back(static_cast<std::int64_t>(d));
  return axes;
}

// A fresh keepdim-shaped result seen with the reduced axes dropped.
inline Tensor drop_reduced(const Tensor& keep, const Shape& in, const std::vector<bool>& reduced) {
  const Shape dropped = dropped_shape(in, reduced);
  return make_view(keep, dropped, contiguous_strides(dropped), keep.offset());
}

}  // namespace tg
