// Fractional max pooling (B. Graham, "Fractional Max-Pooling", 2014): disjoint pooling
// regions of random sizes floor(a) or ceil(a), a = in / out, so that a layer can
// shrink its input by a non-integer ratio such as sqrt(2). Region boundaries are the
// "pseudorandom" sequence a_i = ceil(a (i + u)) - ceil(a u), i = 0..out, with u drawn
// per image and per spatial dim from a counter-based stream (replayable: the same
// generator state gives the same regions). Reference kernel in both dtypes
// (kernels/fractional_max_pool.hpp); the gradient goes to each region's maximum (pool_index.hpp).
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/fractional_max_pool.hpp"
#include "op_pattern.hpp"
#include "pool_index.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/pooling.hpp"

namespace tg {

namespace {

constexpr ops::IndexOpNames kNames{"fractional_max_pool2d_backward", "fractional_max_pool2d_select"};

// Region starts a_0 = 0 < a_1 < ... < a_out = in for one dim.
void region_starts(std::int64_t in, std::int64_t out, double u, std::int64_t* starts) {
  const double alpha = static_cast<double>(in) / static_cast<double>(out);
  const double base = std::ceil(alpha * u);
  starts[0] = 0;
  for (std::int64_t i = 1; i < out; ++i) {
    const auto a = static_cast<std::int64_t>(std::ceil(alpha * (static_cast<double>(i) + u)) - base);
    // Exact arithmetic keeps every region at least 1 long and inside [0, in); the
    // clamp only guards against rounding.
    starts[i] = std::clamp(a, starts[i - 1] + 1, in - (out - i));
  }
  starts[out] = in;
}

// Input x (checked by fractional_max_pool2d); rows and cols: the region starts of
// every image. Keeps the maxima (indices, our own) for backward.
struct FractionalMaxPool {
  static constexpr const char* name = "fractional_max_pool2d";
  std::vector<std::int64_t> rows, cols;
  Shape out_shape;
  Tensor indices{};
  Shape input_shape{};
  Tensor forward(const Tensor& x) {
    input_shape = x.shape();
    Tensor y = empty(out_shape, x.dtype());
    indices = empty(out_shape, i64);
    kernels::fractional_max_pool_forward(x, rows, cols, y, indices);
    rows = cols = {};  // backward needs only the maxima
    return y;
  }
  TensorList backward(const ops::OpContext&, const Tensor& g) const {
    return ops::grads(ops::index_scatter(g, indices, input_shape, kNames));
  }
  void release() { indices = Tensor{}; }
};

}  // namespace

Tensor fractional_max_pool2d(const Tensor& x, Size2d output_size, Generator* gen) {
  ops::check_floating("fractional_max_pool2d", x);
  TG_CHECK(x.dim() == 4, "fractional_max_pool2d: input has {} dims {}, expected 4 (N, C, H, W)", x.dim(),
           x.shape().str());
  const std::int64_t N = x.size(0), H = x.size(2), W = x.size(3), OH = output_size.h, OW = output_size.w;
  TG_CHECK(OH >= 1 && OW >= 1 && OH <= H && OW <= W,
           "fractional_max_pool2d: output size ({}, {}) must be between (1, 1) and the input's ({}, {}) (input {})", OH,
           OW, H, W, x.shape().str());
  // One Philox block (4 words) per image: two words for u of the rows, two for the columns.
  Generator& g = gen ? *gen : default_generator();
  const std::uint64_t first = g.reserve(4 * static_cast<std::uint64_t>(N));
  std::vector<std::int64_t> rows(static_cast<std::size_t>(N * (OH + 1))), cols(static_cast<std::size_t>(N * (OW + 1)));
  for (std::int64_t n = 0; n < N; ++n) {
    const auto w = g.block(first + static_cast<std::uint64_t>(n));
    region_starts(H, OH, uniform_double(w[0], w[1]), rows.data() + n * (OH + 1));
    region_starts(W, OW, uniform_double(w[2], w[3]), cols.data() + n * (OW + 1));
  }
  return ops::apply(FractionalMaxPool{std::move(rows), std::move(cols), Shape{N, x.size(1), OH, OW}}, x);
}

Tensor fractional_max_pool2d(const Tensor& x, double ratio, Generator* gen) {
  TG_CHECK(ratio > 0 && ratio <= 1, "fractional_max_pool2d: output ratio {} must be in (0, 1]", ratio);
  TG_CHECK(x.dim() == 4, "fractional_max_pool2d: input has {} dims {}, expected 4 (N, C, H, W)", x.dim(),
           x.shape().str());
  const auto scaled = [ratio](std::int64_t n) {
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::floor(ratio * static_cast<double>(n))));
  };
  return fractional_max_pool2d(x, Size2d{scaled(x.size(2)), scaled(x.size(3))}, gen);
}

// --- op table entry
namespace {

OpTableEntry fractional_max_pool_entry() {
  OpTableEntry e;
  e.name = "fractional_max_pool2d";
  // Inputs: x and the output size (i64). The regions come from a copy of the default
  // generator: gradcheck replays its state before each evaluation, and the f32
  // comparison (which does not) then sees the same regions in f64 and f32.
  e.fn = [](const std::vector<Tensor>& x) {
    const auto size = x[1].to_vector<std::int64_t>();
    Generator replay = default_generator();
    return fractional_max_pool2d(x[0], Size2d{size[0], size[1]}, &replay);
  };
  e.samples = [](Generator& g) -> std::vector<OpSample> {
    const auto size = [](std::int64_t h, std::int64_t w) {
      return from_vector(std::vector<std::int64_t>{h, w}, Shape{2});
    };
    return {
        {"[2, 2, 7, 7] -> [5, 5]", {ops::sample_distinct(g, {2, 2, 7, 7}), size(5, 5)}},
        {"[1, 3, 9, 6] -> [5, 4]", {ops::sample_distinct(g, {1, 3, 9, 6}), size(5, 4)}},
        {"[3, 1, 5, 5] -> [2, 3]", {ops::sample_distinct(g, {3, 1, 5, 5}), size(2, 3)}},
        {"transposed view [1, 2, 6, 8] -> [4, 5]", {ops::sample_distinct(g, {1, 2, 8, 6}), size(4, 5)}, {0}},
        {"empty batch [0, 2, 7, 7] -> [5, 5]", {ops::sample_distinct(g, {0, 2, 7, 7}), size(5, 5)}},
    };
  };
  e.large_samples = [](Generator& g) -> std::vector<OpSample> {
    return {{"[64, 32, 28, 28] -> [20, 20]",
             {sample_normal(g, {64, 32, 28, 28}), from_vector(std::vector<std::int64_t>{20, 20}, Shape{2})}},
            {"empty batch [0, 32, 28, 28] -> [20, 20]",
             {sample_normal(g, {0, 32, 28, 28}), from_vector(std::vector<std::int64_t>{20, 20}, Shape{2})}}};
  };
  e.has_kinks = true;
  e.random = true;
  return e;
}
const OpRegistration reg_fractional_max_pool(fractional_max_pool_entry());

}  // namespace

}  // namespace tg
