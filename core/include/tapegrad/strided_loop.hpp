#pragma once
// for_each_strided: walks K operands of one shape with arbitrary (also zero, for
// broadcasting) strides and calls inner(ptrs, byte_strides, n) once per run of the
// innermost dimension. Dimensions that are contiguous in every operand are merged
// first, so a contiguous tensor is one call over all its elements. Large loops are
// split across threads by parallel_for (outer index, or one long run split in chunks).
#include <algorithm>
#include <array>
#include <cstdint>

#include "tapegrad/parallel_for.hpp"
#include "tapegrad/shape.hpp"

namespace tg {

template <int K>
struct StridedOperands {
  std::array<char*, K> data{};
  std::array<Shape, K> strides;  // in bytes, each of the loop's rank
};

namespace detail {
// Merges dims i and i+1 where every operand's stride allows it; drops size-1 dims.
template <int K>
void coalesce(Shape& shape, std::array<Shape, K>& strides) {
  Shape s;
  std::array<Shape, K> st;
  for (int i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    bool merge = s.size() > 0;
    for (int k = 0; k < K && merge; ++k)
      merge = st[k][s.size() - 1] == strides[k][i] * shape[i];
    if (merge) {
      s[s.size() - 1] *= shape[i];
      for (int k = 0; k < K; ++k) st[k][s.size() - 1] = strides[k][i];
    } else {
      s.push_back(shape[i]);
      for (int k = 0; k < K; ++k) st[k].push_back(strides[k][i]);
    }
  }
  shape = s;
  strides = st;
}
}  // namespace detail

// parallel=false keeps the loop on the calling thread (needed when operands overlap,
// e.g. a reduction writing one output element from many iterations).
template <int K, class Inner>
void for_each_strided(Shape shape, StridedOperands<K> ops, Inner&& inner, bool parallel = true) {
  if (shape.numel() == 0) return;
  detail::coalesce<K>(shape, ops.strides);
  const int rank = shape.size();
  if (rank == 0) {  // a single element
    std::array<std::int64_t, K> zero{};
    inner(ops.data, zero, std::int64_t{1});
    return;
  }
  const std::int64_t inner_n = shape[rank - 1];
  std::array<std::int64_t, K> inner_strides;
  for (int k = 0; k < K; ++k) inner_strides[k] = ops.strides[k][rank - 1];
  const std::int64_t outer_n = shape.numel() / inner_n;

  auto run_range = [&](std::int64_t begin, std::int64_t end) {
    if (begin >= end) return;
    std::array<std::int64_t, kMaxDims> index{};
    std::array<char*, K> ptr = ops.data;
    std::int64_t rest = begin;
    for (int d = rank - 2; d >= 0; --d) {
      index[d] = rest % shape[d];
      rest /= shape[d];
      for (int k = 0; k < K; ++k) ptr[k] += index[d] * ops.strides[k][d];
    }
    for (std::int64_t o = begin; o < end; ++o) {
      inner(ptr, inner_strides, inner_n);
      for (int d = rank - 2; d >= 0; --d) {  // odometer increment of the outer index
        for (int k = 0; k < K; ++k) ptr[k] += ops.strides[k][d];
        if (++index[d] < shape[d]) break;
        for (int k = 0; k < K; ++k) ptr[k] -= ops.strides[k][d] * shape[d];
        index[d] = 0;
      }
    }
  };

  if (!parallel) {
    run_range(0, outer_n);
    return;
  }
  if (outer_n == 1) {  // one long run (contiguous data): split it
    parallel_for(inner_n, kGrainElements, [&](std::int64_t begin, std::int64_t end) {
      std::array<char*, K> ptr = ops.data;
      for (int k = 0; k < K; ++k) ptr[k] += begin * inner_strides[k];
      inner(ptr, inner_strides, end - begin);
    });
    return;
  }
  parallel_for(outer_n, std::max<std::int64_t>(1, kGrainElements / inner_n), run_range);
}

}  // namespace tg
