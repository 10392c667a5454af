// Max pooling with dilation, ceil mode and returned indices, and its inverse
// max_unpool2d. Both run on the index ops of pool_index.hpp: pooling gathers each
// window's maximum (found by the window kernel of kernels/resample.hpp over the taps
// of pool_windows.hpp), unpooling scatters by the indices, and each one's gradient is
// the other, to any order. Plain loops in both dtypes; max_pool2d without dilation or
// ceil mode keeps its oneDNN path (pooling.cpp).
#include <string>

#include "kernels/dense.hpp"
#include "op_pattern.hpp"
#include "pool_windows.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/pooling.hpp"

namespace tg {

namespace {

constexpr ops::IndexOpNames kPoolNames{"max_pool2d_backward", "max_pool2d"};
constexpr ops::IndexOpNames kUnpoolNames{"max_unpool2d", "max_unpool2d_backward"};

}  // namespace

PoolWithIndices max_pool2d_with_indices(const Tensor& x, Size2d k, Size2d s, Size2d p, Size2d d, bool ceil_mode) {
  constexpr const char* op = "max_pool2d";
  ops::check_pool_input(op, x);
  ops::check_pool_window(op, k, s, p);
  TG_CHECK(d.h >= 1 && d.w >= 1, "{}: dilation ({}, {}) must be at least 1 in each dim", op, d.h, d.w);
  const std::int64_t H = x.size(2), W = x.size(3);
  const std::int64_t OH = ops::max_pool_output_size(H, k.h, s.h, p.h, d.h, ceil_mode);
  const std::int64_t OW = ops::max_pool_output_size(W, k.w, s.w, p.w, d.w, ceil_mode);
  TG_CHECK(H > 0 && W > 0 && OH >= 1 && OW >= 1,
           "{}: kernel ({}, {}) with dilation ({}, {}) is larger than the padded input ({}, {}) (input {}, padding "
           "({}, {}))",
           op, k.h, k.w, d.h, d.w, H + 2 * p.h, W + 2 * p.w, x.shape().str(), p.h, p.w);
  const kernels::Taps2d taps{ops::max_pool_windows(op, H, OH, k.h, s.h, p.h, d.h),
                             ops::max_pool_windows(op, W, OW, k.w, s.w, p.w, d.w)};
  return ops::max_over_windows(x, taps, kPoolNames);
}

Tensor max_unpool2d(const Tensor& x, const Tensor& indices, Size2d output_size) {
  constexpr const char* op = "max_unpool2d";
  ops::check_pool_input(op, x);
  TG_CHECK(indices.dtype() == i64, "{}: indices have dtype {}, expected i64", op, dtype_name(indices.dtype()));
  TG_CHECK(indices.shape() == x.shape(), "{}: indices have shape {}, expected the input's {}", op,
           indices.shape().str(), x.shape().str());
  TG_CHECK(output_size.h >= 1 && output_size.w >= 1, "{}: output size ({}, {}) must be at least (1, 1)", op,
           output_size.h, output_size.w);
  // The index ops keep their indices unversioned: a copy of the caller's, checked.
  Tensor own = indices.detach().clone();
  const std::int64_t plane = output_size.h * output_size.w;
  const std::int64_t* at = own.data<std::int64_t>();
  for (std::int64_t i = 0; i < own.numel(); ++i)
    TG_CHECK(at[i] >= 0 && at[i] < plane, "{}: index {} at element {} is outside the output plane of {}x{} ([0, {}))",
             op, at[i], i, output_size.h, output_size.w, plane);
  return ops::index_scatter(x, own, Shape{x.size(0), x.size(1), output_size.h, output_size.w}, kUnpoolNames);
}

Tensor max_unpool2d(const Tensor& x, const Tensor& indices, Size2d k, Size2d s, Size2d p) {
  ops::check_pool_input("max_unpool2d", x);
  const auto size = [](std::int64_t in, std::int64_t kernel, std::int64_t stride, std::int64_t padding) {
    return (in - 1) * stride - 2 * padding + kernel;
  };
  return max_unpool2d(x, indices, Size2d{size(x.size(2), k.h, s.h, p.h), size(x.size(3), k.w, s.w, p.w)});
}

// --- op table entries. The options are fixed per entry; values are distinct (no ties).
namespace {

using Samples = std::vector<OpSample>;
using ops::sample_distinct;

struct MaxPoolCase {
  Size2d kernel, stride, padding, dilation;
  bool ceil_mode;
};

OpTableEntry max_pool_entry(std::string name, MaxPoolCase c, std::function<Samples(Generator&)> samples,
                            std::function<Samples(Generator&)> large) {
  OpTableEntry e;
  e.name = std::move(name);
  e.fn = [c](const std::vector<Tensor>& x) {
    return max_pool2d(x[0], c.kernel, c.stride, c.padding, c.dilation, c.ceil_mode);
  };
  e.samples = std::move(samples);
  e.large_samples = std::move(large);
  e.has_kinks = true;
  return e;
}

const OpRegistration reg_ceil(max_pool_entry(
    "max_pool2d_ceil_mode_k3_s2", {3, 2, 0, 1, true},
    [](Generator& g) -> Samples {
      return {{"[2, 2, 6, 7] (partial last windows)", {sample_distinct(g, {2, 2, 6, 7})}},
              {"[1, 2, 5, 5] (windows fit)", {sample_distinct(g, {1, 2, 5, 5})}},
              {"transposed view [1, 1, 6, 4]", {sample_distinct(g, {1, 1, 4, 6})}, {0}},
              {"empty batch [0, 2, 6, 7]", {sample_distinct(g, {0, 2, 6, 7})}}};
    },
    [](Generator& g) -> Samples {
      return {{"[16, 16, 14, 14]", {sample_normal(g, {16, 16, 14, 14})}},
              {"empty batch [0, 16, 14, 14]", {sample_normal(g, {0, 16, 14, 14})}}};
    }));

const OpRegistration reg_dilation(max_pool_entry(
    "max_pool2d_dilation2_pad1", {3, 1, 1, 2, false},
    [](Generator& g) -> Samples {
      return {{"[2, 2, 6, 5]", {sample_distinct(g, {2, 2, 6, 5})}},
              {"[1, 1, 3, 4] (windows reach past the input)", {sample_distinct(g, {1, 1, 3, 4})}},
              {"empty batch [0, 2, 6, 5]", {sample_distinct(g, {0, 2, 6, 5})}}};
    },
    [](Generator& g) -> Samples {
      return {{"[16, 16, 14, 14]", {sample_normal(g, {16, 16, 14, 14})}},
              {"empty batch [0, 16, 14, 14]", {sample_normal(g, {0, 16, 14, 14})}}};
    }));

const OpRegistration reg_mixed(max_pool_entry(
    "max_pool2d_ceil_dilation_mixed", {{2, 3}, {2, 1}, {1, 1}, {1, 2}, true},
    [](Generator& g) -> Samples {
      return {{"[1, 2, 7, 6]", {sample_distinct(g, {1, 2, 7, 6})}},
              {"[2, 1, 4, 5]", {sample_distinct(g, {2, 1, 4, 5})}},
              {"empty batch [0, 2, 7, 6]", {sample_distinct(g, {0, 2, 7, 6})}}};
    },
    [](Generator& g) -> Samples {
      return {{"[8, 16, 15, 15]", {sample_normal(g, {8, 16, 15, 15})}},
              {"empty batch [0, 16, 15, 15]", {sample_normal(g, {0, 16, 15, 15})}}};
    }));

// Unpooling the maxima of a k2 pooling (indices of distinct values: no duplicates)
// of a fixed input twice x's spatial size.
const OpRegistration reg_unpool([] {
  OpTableEntry e;
  e.name = "max_unpool2d";
  e.fn = [](const std::vector<Tensor>& x) {
    Generator fixed(5);
    const Tensor pooled = sample_distinct(fixed, {x[0].size(0), x[0].size(1), 2 * x[0].size(2), 2 * x[0].size(3)});
    return max_unpool2d(x[0], max_pool2d_with_indices(pooled, 2, 2).indices, 2, 2, 0);
  };
  e.samples = [](Generator& g) -> Samples {
    return {{"[2, 2, 2, 3] into [4, 6]", {sample_normal(g, {2, 2, 2, 3})}},
            {"transposed view [1, 2, 3, 2] into [6, 4]", {sample_normal(g, {1, 2, 2, 3})}, {0}},
            {"empty batch [0, 2, 2, 3]", {sample_normal(g, {0, 2, 2, 3})}}};
  };
  e.large_samples = [](Generator& g) -> Samples {
    return {{"[16, 16, 7, 7] into [14, 14]", {sample_normal(g, {16, 16, 7, 7})}},
            {"empty batch [0, 16, 7, 7] into [14, 14]", {sample_normal(g, {0, 16, 7, 7})}}};
  };
  return e;
}());

}  // namespace

}  // namespace tg
