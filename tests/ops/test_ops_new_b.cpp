// Convolution and pooling ops beyond conv2d / max and avg pooling: conv_transpose2d,
// upsampling, adaptive pooling, max pooling with ceil_mode / dilation / indices,
// max_unpool2d, padding modes and conv2d's "same" padding. Values by hand
// (docs/formulas.md), the op-table sweep of their entries, and every bad input.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include <tapegrad/ops/op_sweep.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"
#include "tensor_values.hpp"

using tg::Tensor;
using tg::test::check_values;
using tg::test::f64;

namespace {

Tensor iota(const tg::Shape& s, double start = 1) {
  return tg::reshape(tg::arange(start, start + static_cast<double>(s.numel()), 1.0, tg::f64), s.to_vector());
}

// Every op-table entry whose name starts with prefix passes gradcheck, gradgradcheck
// (when it declares second_order) and the f32-vs-f64 comparison; returns how many ran.
int sweep_entries(const std::string& prefix) {
  tg::OpSweepOptions options;
  options.gradgrad = true;
  int count = 0;
  for (const auto& entry : tg::op_table()) {
    if (entry.name.rfind(prefix, 0) != 0) continue;
    ++count;
    const tg::OpSweepResult r = tg::sweep_op(entry, options);
    std::string why;
    for (const auto& f : r.failures) why += f.label + ": " + f.what + "\n";
    INFO(entry.name, "\n", why);
    CHECK_FALSE(r.wrong());
    CHECK_FALSE(r.suspicious());
    CHECK(r.errors.empty());
    CHECK(r.verdict != tg::Verdict::kink_crossed);
    CHECK(r.f32_samples > r.samples - 1);
  }
  return count;
}

}  // namespace

// --- conv_transpose2d

TEST_CASE("conv_transpose2d of a 2x2 image with a 2x2 kernel, by hand") {
  // y[i + a][j + b] += x[i][j] w[a][b]: the full-size scatter of each pixel times w.
  for (tg::DType dt : {tg::f64, tg::f32}) {
    CAPTURE(tg::dtype_name(dt));
    Tensor x = iota({1, 1, 2, 2}).to(dt).requires_grad_();
    Tensor w = iota({1, 1, 2, 2}).to(dt).requires_grad_();
    Tensor b = f64({1}, {1}).to(dt).requires_grad_();
    const Tensor y = tg::conv_transpose2d(x, w, b);
    CHECK(y.shape() == tg::Shape{1, 1, 3, 3});
    check_values(y, {2, 5, 5, 7, 21, 17, 10, 25, 17}, 1e-6);
    tg::sum(y).backward();
    // Each pixel meets every tap once: dx = sum(w) = 10, dw = sum(x) = 10, db = 9.
    check_values(x.grad(), {10, 10, 10, 10}, 1e-6);
    check_values(w.grad(), {10, 10, 10, 10}, 1e-6);
    check_values(b.grad(), {9}, 1e-6);
  }
}

TEST_CASE("conv_transpose2d with stride 2 and output_padding 1, by hand") {
  // (2 - 1) 2 - 0 + (2 - 1) + 1 + 1 = 5: the windows do not overlap, the last row and
  // column (the output padding) stay 0.
  const Tensor y = tg::conv_transpose2d(iota({1, 1, 2, 2}), iota({1, 1, 2, 2}), {},
                                        {.stride = 2, .output_padding = 1});
  CHECK(y.shape() == tg::Shape{1, 1, 5, 5});
  check_values(y, {1, 2, 2, 4, 0,  //
                   3, 4, 6, 8, 0,  //
                   3, 6, 4, 8, 0,  //
                   9, 12, 12, 16, 0, 0, 0, 0, 0, 0});
  // output_padding 1 at stride 1, below the dilation 2: rows i + 2 a of [1, 2] * [1, 10],
  // then one more zero column.
  check_values(tg::conv_transpose2d(f64({1, 2}, {1, 1, 1, 2}), f64({1, 10}, {1, 1, 1, 2}), {},
                                    {.output_padding = {0, 1}, .dilation = 2}),
               {1, 2, 10, 20, 0});
  // With padding 1 the cut starts one row in and the last row is a real one:
  // full rows 1 2 10 20 -> [2, 10, 20] (size (2 - 1) - 2 + 2 + 1 + 1 = 3).
  check_values(tg::conv_transpose2d(f64({1, 2}, {1, 1, 1, 2}), f64({1, 10}, {1, 1, 1, 2}), {},
                                    {.padding = {0, 1}, .output_padding = {0, 1}, .dilation = 2}),
               {2, 10, 20});
  CHECK(tg::conv_transpose2d_output_size(7, 3, 2, 1, 1, 1) == 14);
  CHECK(tg::conv_transpose2d_output_size(4, 3, 1, 0, 0, 2) == 8);
}

TEST_CASE("conv_transpose2d is the adjoint of conv2d with the same options") {
  // <conv2d(u, w), v> = <u, conv_transpose2d(v, w)> for every u, v.
  tg::Generator gen(3);
  const tg::Conv2dOptions conv{.stride = 2, .padding = 1, .dilation = {1, 2}, .groups = 2};
  const Tensor w = tg::randn({4, 3, 3, 2}, tg::f64, &gen);  // conv: 6 -> 4 channels
  const Tensor u = tg::randn({2, 6, 7, 8}, tg::f64, &gen);
  const Tensor cu = tg::conv2d(u, w, {}, conv);
  const Tensor v = tg::randn(cu.shape(), tg::f64, &gen);
  // Width 8 and 7 both pool to 4 columns: output_padding picks 8.
  const Tensor tv = tg::conv_transpose2d(
      v, w, {}, {.stride = 2, .padding = 1, .output_padding = {0, 1}, .dilation = {1, 2}, .groups = 2});
  CHECK(tv.shape() == tg::Shape{2, 6, 7, 8});
  CHECK(tg::sum(cu * v).item<double>() == doctest::Approx(tg::sum(u * tv).item<double>()).epsilon(1e-12));
}

TEST_CASE("conv_transpose2d refuses bad inputs") {
  const Tensor x = tg::zeros({1, 2, 3, 3}, tg::f64), w = tg::zeros({2, 3, 2, 2}, tg::f64);
  CHECK_ERROR(tg::conv_transpose2d(tg::zeros({2, 3, 3}, tg::f64), w), "conv_transpose2d: input has 3 dims");
  CHECK_ERROR(tg::conv_transpose2d(x, tg::zeros({2, 3, 2}, tg::f64)), "conv_transpose2d: weight has 3 dims");
  CHECK_ERROR(tg::conv_transpose2d(x, tg::zeros({3, 3, 2, 2}, tg::f64)), "input [1, 2, 3, 3] has 2 channels");
  CHECK_ERROR(tg::conv_transpose2d(x, w.to(tg::f32)), "conv_transpose2d");
  CHECK_ERROR(tg::conv_transpose2d(x.to(tg::i64), w), "conv_transpose2d");
  CHECK_ERROR(tg::conv_transpose2d(x, w, tg::zeros({2}, tg::f64)), "bias has shape [2], expected [3]");
  CHECK_ERROR(tg::conv_transpose2d(x, w, {}, {.stride = 2, .output_padding = 2}),
              "output_padding [2, 2] must be >= 0 and smaller than the stride [2, 2] or the dilation [1, 1]");
  CHECK_ERROR(tg::conv_transpose2d(x, w, {}, {.output_padding = 1}), "smaller than the stride");
  CHECK_ERROR(tg::conv_transpose2d(x, w, {}, {.output_padding = -1}), "must be >= 0 and smaller");
  CHECK_ERROR(tg::conv_transpose2d(x, w, {}, {.stride = 0}), "stride must be >= 1");
  CHECK_ERROR(tg::conv_transpose2d(x, w, {}, {.padding = 3}), "gives an output of -2x-2");
  CHECK_ERROR(tg::conv_transpose2d(x, w, {}, {.padding = -1}), "padding must be >= 0");
  CHECK_ERROR(tg::conv_transpose2d(x, w, {}, {.dilation = 0}), "dilation must be >= 1");
  CHECK_ERROR(tg::conv_transpose2d(x, w, {}, {.groups = 0}), "groups must be >= 1");
  CHECK_ERROR(tg::conv_transpose2d(tg::zeros({1, 3, 3, 3}, tg::f64), tg::zeros({3, 1, 2, 2}, tg::f64), {},
                                   {.groups = 2}),
              "groups 2 does not divide");
  CHECK_ERROR(tg::conv_transpose2d(tg::zeros({1, 2, 0, 3}, tg::f64), w), "expected at least 1x1");
}

TEST_CASE("conv_transpose2d entries pass the op-table sweep") { CHECK(sweep_entries("conv_transpose2d") == 4); }

// --- upsampling

TEST_CASE("interpolate nearest by scale and by size, by hand") {
  const Tensor x = iota({1, 1, 2, 2});
  check_values(tg::interpolate(x, {.scale = 2.0}), {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  // Size: source floor(i in / out); 2 -> 3 reads 0, 0, 1 and 5 -> 2 reads 0, 2.
  check_values(tg::interpolate(x, {.size = {1, 3}}), {1, 1, 2});
  check_values(tg::interpolate(iota({1, 1, 1, 5}), {.size = {1, 2}}), {1, 3});
  // Scale 1.5: output floor(2 * 1.5) = 3 columns reading floor(j / 1.5) = 0, 0, 1.
  check_values(tg::interpolate(x, {.scale = {1.0, 1.5}}), {1, 1, 2, 3, 3, 4});
  // The gradient sums over the copies of each input.
  Tensor xr = iota({1, 1, 2, 2}).requires_grad_();
  tg::sum(tg::interpolate(xr, {.size = {3, 3}})).backward();
  check_values(xr.grad(), {4, 2, 2, 1});
}

TEST_CASE("interpolate bilinear with and without align_corners, by hand") {
  // x(h, w) = 1 + 2 h + w is linear, so the result is x at the source coordinates:
  // half-pixel rule, 2 -> 4: source max((i + 0.5) / 2 - 0.5, 0) = 0, 0.25, 0.75, 1.25 (clamped to 1).
  for (tg::DType dt : {tg::f64, tg::f32}) {
    CAPTURE(tg::dtype_name(dt));
    const Tensor x = iota({1, 1, 2, 2}).to(dt);
    check_values(tg::interpolate(x, {.size = 4, .mode = tg::InterpolateMode::bilinear}),
                 {1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4}, 1e-6);
    // align_corners, 2 -> 3: source i (in - 1) / (out - 1) = 0, 0.5, 1.
    check_values(tg::interpolate(x, {.size = {3, 3}, .mode = tg::InterpolateMode::bilinear, .align_corners = true}),
                 {1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4}, 1e-6);
  }
  // Scale 2 gives the same taps as size 4 (1 / 2 = 2 / 4).
  const Tensor x = iota({1, 1, 2, 3});
  CHECK(tg::interpolate(x, {.scale = 2.0, .mode = tg::InterpolateMode::bilinear}).to_vector<double>() ==
        tg::interpolate(x, {.size = {4, 6}, .mode = tg::InterpolateMode::bilinear}).to_vector<double>());
  // Gradient of sum(y * [1, 2, 3, 4]) for one row [a, b] -> 4 columns: the weights
  // (1, 0), (0.75, 0.25), (0.25, 0.75), (0, 1) give a: 1 + 1.5 + 0.75 = 3.25, b: 0.5 + 2.25 + 4 = 6.75.
  Tensor row = iota({1, 1, 1, 2}).requires_grad_();
  const Tensor y = tg::interpolate(row, {.size = {1, 4}, .mode = tg::InterpolateMode::bilinear});
  tg::sum(y * f64({1, 2, 3, 4}, {1, 1, 1, 4})).backward();
  check_values(row.grad(), {3.25, 6.75});
}

TEST_CASE("interpolate refuses bad inputs") {
  const Tensor x = tg::zeros({1, 1, 2, 2}, tg::f64);
  CHECK_ERROR(tg::interpolate(tg::zeros({1, 2, 2}, tg::f64), {.size = 2}), "interpolate: input has 3 dims");
  CHECK_ERROR(tg::interpolate(x.to(tg::i64), {.size = 2}), "interpolate");
  CHECK_ERROR(tg::interpolate(x, {}), "give exactly one of size and scale");
  CHECK_ERROR(tg::interpolate(x, {.size = 2, .scale = 2.0}), "give exactly one of size and scale");
  CHECK_ERROR(tg::interpolate(x, {.size = {0, 2}}), "output size (0, 2) must be at least (1, 1)");
  CHECK_ERROR(tg::interpolate(x, {.size = {3, -1}}), "output size (3, -1) must be at least (1, 1)");
  CHECK_ERROR(tg::interpolate(x, {.scale = {-1.0, 2.0}}), "scale (-1, 2) must be positive and finite");
  CHECK_ERROR(tg::interpolate(x, {.scale = {1.0, std::nan("")}}), "must be positive and finite");
  CHECK_ERROR(tg::interpolate(x, {.scale = 0.25}), "output size (0, 0) must be at least (1, 1)");
  CHECK_ERROR(tg::interpolate(x, {.size = 2, .align_corners = true}), "align_corners applies to mode bilinear");
  CHECK_ERROR(tg::interpolate(tg::zeros({1, 1, 0, 2}, tg::f64), {.size = 2}), "has an empty spatial dim");
  CHECK_ERROR(tg::interpolate(x, {.size = 2, .mode = static_cast<tg::InterpolateMode>(7)}), "is not nearest or bilinear");
}

TEST_CASE("upsample entries pass the op-table sweep") { CHECK(sweep_entries("upsample_") == 5); }

// --- adaptive pooling

TEST_CASE("adaptive_avg_pool2d windows and gradient, by hand") {
  // 5 -> 3: windows [0, 2), [1, 4), [3, 5) (floor(i 5 / 3), ceil((i + 1) 5 / 3)).
  for (tg::DType dt : {tg::f64, tg::f32}) {
    CAPTURE(tg::dtype_name(dt));
    Tensor x = iota({1, 1, 1, 5}).to(dt).requires_grad_();
    const Tensor y = tg::adaptive_avg_pool2d(x, {1, 3});
    check_values(y, {1.5, 3, 4.5}, 1e-6);
    tg::sum(y).backward();
    check_values(x.grad(), {0.5, 0.5 + 1.0 / 3, 1.0 / 3, 1.0 / 3 + 0.5, 0.5}, 1e-6);
  }
  // Output 1x1 is the global mean; more outputs than inputs repeat elements.
  const Tensor x = iota({2, 3, 4, 5});
  tg::test::check_close(tg::adaptive_avg_pool2d(x, 1).to_vector<double>(), tg::global_avg_pool2d(x).to_vector<double>(),
                        1e-12);
  check_values(tg::adaptive_avg_pool2d(iota({1, 1, 1, 2}), {1, 3}), {1, 1.5, 2});
}

TEST_CASE("adaptive_max_pool2d values, indices and gradient, by hand") {
  Tensor x = f64({3, 1, 4, 0, 5}, {1, 1, 1, 5}).requires_grad_();
  const tg::PoolWithIndices r = tg::adaptive_max_pool2d_with_indices(x, {1, 3});
  check_values(r.values, {3, 4, 5});
  CHECK(r.indices.dtype() == tg::i64);
  CHECK(r.indices.to_vector<std::int64_t>() == std::vector<std::int64_t>{0, 2, 4});
  tg::sum(r.values * f64({1, 2, 3}, {1, 1, 1, 3})).backward();
  check_values(x.grad(), {1, 0, 2, 0, 3});
  // 3x3 -> 2x2: overlapping windows rows / columns [0, 2) and [1, 3); each takes its bottom-right.
  const tg::PoolWithIndices r2 = tg::adaptive_max_pool2d_with_indices(iota({1, 1, 3, 3}), 2);
  check_values(r2.values, {5, 6, 8, 9});
  CHECK(r2.indices.to_vector<std::int64_t>() == std::vector<std::int64_t>{4, 5, 7, 8});
  CHECK(tg::adaptive_max_pool2d(iota({1, 1, 3, 3}), 2).to_vector<double>() == r2.values.to_vector<double>());
  // NaN wins its window, as in PyTorch.
  const Tensor with_nan = f64({1, std::nan(""), 3, 4}, {1, 1, 1, 4});
  const auto v = tg::adaptive_max_pool2d(with_nan, {1, 2}).to_vector<double>();
  CHECK(std::isnan(v[0]));
  CHECK(v[1] == 4);
}

TEST_CASE("adaptive pooling refuses bad inputs") {
  for (const char* name : {"adaptive_avg_pool2d", "adaptive_max_pool2d"}) {
    CAPTURE(name);
    const auto pool = [&](const Tensor& x, tg::Size2d out) {
      return std::string(name) == "adaptive_avg_pool2d" ? tg::adaptive_avg_pool2d(x, out) : tg::adaptive_max_pool2d(x, out);
    };
    CHECK_ERROR(pool(tg::zeros({1, 4, 4}, tg::f64), 2), std::string(name) + ": input has 3 dims [1, 4, 4]");
    CHECK_ERROR(pool(tg::zeros({1, 1, 4, 4}, tg::i64), 2), name);
    CHECK_ERROR(pool(tg::zeros({1, 1, 4, 4}, tg::f64), {0, 2}), "output size (0, 2) must be at least (1, 1)");
    CHECK_ERROR(pool(tg::zeros({1, 1, 4, 0}, tg::f64), 2), "has an empty spatial dim");
  }
}

TEST_CASE("adaptive pooling entries pass the op-table sweep") { CHECK(sweep_entries("adaptive_") == 2); }

// --- max pooling with ceil_mode, dilation and indices; max_unpool2d

TEST_CASE("max_pool2d with ceil_mode and dilation, by hand") {
  // ceil mode, kernel 2 stride 2 over 5 columns: windows [0, 1], [2, 3], [4] -> 3 outputs (floor mode: 2).
  const Tensor row = iota({1, 1, 1, 5});
  const tg::PoolWithIndices c = tg::max_pool2d_with_indices(row, {1, 2}, {1, 2}, 0, 1, true);
  check_values(c.values, {2, 4, 5});
  CHECK(c.indices.to_vector<std::int64_t>() == std::vector<std::int64_t>{1, 3, 4});
  CHECK(tg::max_pool2d(row, {1, 2}, {1, 2}).shape() == tg::Shape{1, 1, 1, 2});
  // Ceil mode drops a last window that would start in the right padding: 5 with k2 s2
  // p1 gives floor((5 + 2 - 2 + 1) / 2) + 1 = 4 windows, the last starting at 6 - 1 = 5 = in: 3.
  CHECK(tg::max_pool2d(tg::zeros({1, 1, 5, 5}, tg::f64), 2, 2, 1, 1, true).shape() == tg::Shape{1, 1, 3, 3});
  CHECK(tg::max_pool2d(tg::zeros({1, 1, 6, 6}, tg::f64), 3, 2, 0, 1, true).shape() == tg::Shape{1, 1, 3, 3});
  // Dilation 2, kernel 3, stride 1 over 7: windows {0, 2, 4}, {1, 3, 5}, {2, 4, 6}.
  Tensor x = f64({7, 1, 2, 9, 3, 0, 4}, {1, 1, 1, 7}).requires_grad_();
  const tg::PoolWithIndices d = tg::max_pool2d_with_indices(x, {1, 3}, 1, 0, {1, 2});
  check_values(d.values, {7, 9, 4});
  CHECK(d.indices.to_vector<std::int64_t>() == std::vector<std::int64_t>{0, 3, 6});
  tg::sum(tg::max_pool2d(x, {1, 3}, 1, 0, {1, 2})).backward();
  check_values(x.grad(), {1, 0, 0, 1, 0, 0, 1});
  // Without dilation or ceil mode the index path agrees with the oneDNN / loop path.
  tg::Generator gen(2);
  for (tg::DType dt : {tg::f64, tg::f32}) {
    const Tensor big = tg::randn({4, 8, 15, 15}, dt, &gen);
    CHECK(tg::max_pool2d_with_indices(big, 3, 2, 1).values.to_vector<double>() ==
          tg::max_pool2d(big, 3, 2, 1).to_vector<double>());
  }
}

TEST_CASE("max_unpool2d puts each value back at its index, by hand") {
  // The maxima of the 2x2 windows of 1..16 (4x4) are 6, 8, 14, 16 at 5, 7, 13, 15.
  const tg::PoolWithIndices p = tg::max_pool2d_with_indices(iota({1, 1, 4, 4}), 2, 2);
  CHECK(p.indices.to_vector<std::int64_t>() == std::vector<std::int64_t>{5, 7, 13, 15});
  Tensor v = p.values.detach().requires_grad_();
  const Tensor u = tg::max_unpool2d(v, p.indices, 2, 2, 0);
  CHECK(u.shape() == tg::Shape{1, 1, 4, 4});
  check_values(u, {0, 0, 0, 0, 0, 6, 0, 8, 0, 0, 0, 0, 0, 14, 0, 16});
  // The gradient gathers at the indices.
  tg::sum(u * iota({1, 1, 4, 4}, 101)).backward();
  check_values(v.grad(), {106, 108, 114, 116});
  // An explicit output size (PyTorch's output_size) may exceed the default.
  CHECK(tg::max_unpool2d(v, p.indices, {5, 4}).shape() == tg::Shape{1, 1, 5, 4});
  // The returned indices are the caller's: changing them leaves the pooling's gradient alone.
  Tensor x = iota({1, 1, 2, 2}).requires_grad_();
  tg::PoolWithIndices q = tg::max_pool2d_with_indices(x, 2, 2);
  q.indices.fill_(0);
  tg::sum(q.values).backward();
  check_values(x.grad(), {0, 0, 0, 1});
}

TEST_CASE("max_pool2d options and max_unpool2d refuse bad inputs") {
  const Tensor x = tg::zeros({1, 1, 4, 4}, tg::f64);
  CHECK_ERROR(tg::max_pool2d(x, 2, 2, 0, 0), "max_pool2d: dilation (0, 0) must be at least 1");
  CHECK_ERROR(tg::max_pool2d(x, 2, 0, 0, 2), "max_pool2d: stride (0, 0) must be at least 1");
  CHECK_ERROR(tg::max_pool2d(x, 0, 1, 0, 2), "max_pool2d: kernel (0, 0) must be at least 1");
  CHECK_ERROR(tg::max_pool2d(x, 2, 1, -1, 1, true), "padding (-1, -1) must not be negative");
  CHECK_ERROR(tg::max_pool2d(x, 2, 1, 2, 1, true), "padding (2, 2) is more than half the kernel (2, 2)");
  CHECK_ERROR(tg::max_pool2d(x, 3, 1, 0, 2), "kernel (3, 3) with dilation (2, 2) is larger than the padded input (4, 4)");
  CHECK_ERROR(tg::max_pool2d(tg::zeros({4, 4}, tg::f64), 2, 2, 0, 2), "max_pool2d: input has 2 dims");
  CHECK_ERROR(tg::max_pool2d_with_indices(x.to(tg::i64), 2, 2), "max_pool2d");
  CHECK_ERROR(tg::max_pool2d(tg::zeros({1, 1, 0, 4}, tg::f64), 2, 2, 0, 1, true), "is larger than the padded input");
  // A dilated window that skips the whole input: taps -1 and 2 of a 2-wide input.
  CHECK_ERROR(tg::max_pool2d(tg::zeros({1, 1, 2, 2}, tg::f64), {2, 1}, 1, {1, 0}, {3, 1}),
              "holds no input element");

  const Tensor v = tg::zeros({1, 1, 2, 2}, tg::f64);
  const Tensor idx = tg::from_vector(std::vector<std::int64_t>{0, 1, 2, 3}, tg::Shape{1, 1, 2, 2});
  CHECK_ERROR(tg::max_unpool2d(v, idx.to(tg::f64), {4, 4}), "max_unpool2d: indices have dtype f64, expected i64");
  CHECK_ERROR(tg::max_unpool2d(v, tg::zeros({1, 1, 4}, tg::i64), {4, 4}), "indices have shape [1, 1, 4], expected the input's [1, 1, 2, 2]");
  CHECK_ERROR(tg::max_unpool2d(v, idx, {0, 4}), "output size (0, 4) must be at least (1, 1)");
  CHECK_ERROR(tg::max_unpool2d(v, idx, {1, 3}), "index 3 at element 3 is outside the output plane of 1x3 ([0, 3))");
  CHECK_ERROR(tg::max_unpool2d(v, tg::from_vector(std::vector<std::int64_t>{0, -1, 2, 3}, tg::Shape{1, 1, 2, 2}), {4, 4}), "index -1 at element 1 is outside");
  CHECK_ERROR(tg::max_unpool2d(tg::zeros({2, 2}, tg::f64), idx, {4, 4}), "max_unpool2d: input has 2 dims");
  CHECK_ERROR(tg::max_unpool2d(v.to(tg::i64), idx, {4, 4}), "max_unpool2d");
}

TEST_CASE("max pooling option entries and max_unpool2d pass the op-table sweep") {
  CHECK(sweep_entries("max_pool2d_ceil") == 2);
  CHECK(sweep_entries("max_pool2d_dilation") == 1);
  CHECK(sweep_entries("max_unpool2d") == 1);
}

// --- padding modes

TEST_CASE("pad in reflect, replicate and circular modes, by hand") {
  const Tensor x = iota({1, 4});  // 1 2 3 4
  check_values(tg::pad(x, {2, 1}, tg::PadMode::reflect), {3, 2, 1, 2, 3, 4, 3});
  check_values(tg::pad(x, {2, 1}, tg::PadMode::replicate), {1, 1, 1, 2, 3, 4, 4});
  check_values(tg::pad(x, {2, 1}, tg::PadMode::circular), {3, 4, 1, 2, 3, 4, 1});
  check_values(tg::pad(x, {1, 0}, tg::PadMode::constant, 9.0), {9, 1, 2, 3, 4});
  // Two dims: [[1 2] [3 4]] reflected by 1 on every side.
  const Tensor sq = iota({2, 2});
  const Tensor r = tg::pad(sq, {1, 1, 1, 1}, tg::PadMode::reflect);
  CHECK(r.shape() == tg::Shape{4, 4});
  check_values(r, {4, 3, 4, 3, 2, 1, 2, 1, 4, 3, 4, 3, 2, 1, 2, 1});
  // The gradient sums the copies: replicate by 2 on the left gives the first element 3 copies.
  Tensor xr = iota({1, 4}).requires_grad_();
  tg::sum(tg::pad(xr, {2, 1}, tg::PadMode::replicate)).backward();
  check_values(xr.grad(), {3, 1, 1, 2});
  Tensor xf = iota({1, 4}).requires_grad_();
  tg::sum(tg::pad(xf, {2, 1}, tg::PadMode::reflect)).backward();
  check_values(xf.grad(), {1, 2, 3, 1});
  // Zero padding in a dim is the identity there.
  check_values(tg::pad(x, {0, 0, 1, 0}, tg::PadMode::replicate), {1, 2, 3, 4, 1, 2, 3, 4});
}

TEST_CASE("pad modes refuse bad inputs") {
  const Tensor x = iota({2, 3});
  CHECK_ERROR(tg::pad(x, {3, 0}, tg::PadMode::reflect),
              "pad: reflect padding (3, 0) of dim 1 must be smaller than its size 3 (shape [2, 3])");
  CHECK_ERROR(tg::pad(x, {0, 0, 0, 2}, tg::PadMode::reflect), "must be smaller than its size 2");
  CHECK_ERROR(tg::pad(x, {4, 0}, tg::PadMode::circular), "circular padding (4, 0) of dim 1 must be at most its size 3");
  CHECK_ERROR(tg::pad(tg::zeros({2, 0}, tg::f64), {1, 1}, tg::PadMode::replicate), "needs a non-empty dim");
  CHECK_ERROR(tg::pad(x, {-1, 0}, tg::PadMode::replicate), "pad: replicate padding (-1, 0) of dim 1 must not be negative");
  CHECK_ERROR(tg::pad(x, {1}, tg::PadMode::reflect), "expected (left, right) pairs");
  CHECK_ERROR(tg::pad(x, {1, 1, 1, 1, 1, 1}, tg::PadMode::circular), "pads 3 dims, but the tensor of shape [2, 3] has 2");
  CHECK_ERROR(tg::pad(x, {1, 1}, static_cast<tg::PadMode>(9)), "mode 9 is not constant, reflect, replicate or circular");
}

TEST_CASE("pad mode entries pass the op-table sweep") { CHECK(sweep_entries("pad_") == 4); }

// --- conv2d padding "same" and padding modes

TEST_CASE("conv2d padding same keeps the size, even kernels pad one more on the right") {
  // Kernel [1, 10]: total padding 1, split 0 left / 1 right, as in PyTorch.
  const Tensor x = iota({1, 1, 1, 4});
  const Tensor w = f64({1, 10}, {1, 1, 1, 2});
  check_values(tg::conv2d(x, w, {}, {.padding_same = true}), {21, 32, 43, 4});
  // Odd and dilated kernels: the output has the input's size.
  tg::Generator gen(4);
  const Tensor img = tg::randn({2, 3, 7, 6}, tg::f64, &gen);
  for (const tg::Shape& k : {tg::Shape{4, 3, 3, 3}, tg::Shape{4, 3, 2, 4}, tg::Shape{4, 3, 5, 1}}) {
    CAPTURE(k.str());
    const Tensor kw = tg::randn(k, tg::f64, &gen);
    CHECK(tg::conv2d(img, kw, {}, {.padding_same = true}).shape() == tg::Shape{2, 4, 7, 6});
    CHECK(tg::conv2d(img, kw, {}, {.dilation = {2, 3}, .padding_same = true}).shape() == tg::Shape{2, 4, 7, 6});
  }
  // An odd kernel's "same" is plain symmetric padding.
  const Tensor k3 = tg::randn({4, 3, 3, 3}, tg::f64, &gen);
  CHECK(tg::conv2d(img, k3, {}, {.padding_same = true}).to_vector<double>() ==
        tg::conv2d(img, k3, {}, {.padding = 1}).to_vector<double>());
}

TEST_CASE("conv2d padding modes, by hand") {
  // x = 1 2 3 4, a kernel of three ones, padding 1: window sums of the padded row.
  const Tensor x = iota({1, 1, 1, 4});
  const Tensor w = tg::ones({1, 1, 1, 3}, tg::f64);
  const auto conv = [&](const Tensor& in, tg::PadMode mode) {
    return tg::conv2d(in, w, {}, {.padding = {0, 1}, .padding_mode = mode});
  };
  check_values(conv(x, tg::PadMode::constant), {3, 6, 9, 7});   // 0 1 2 3 4 0
  check_values(conv(x, tg::PadMode::reflect), {5, 6, 9, 10});   // 2 1 2 3 4 3
  check_values(conv(x, tg::PadMode::replicate), {4, 6, 9, 11}); // 1 1 2 3 4 4
  check_values(conv(x, tg::PadMode::circular), {7, 6, 9, 8});   // 4 1 2 3 4 1
  // The gradient counts each element's copies in every window: reflect gives 2 4 4 2.
  Tensor xr = iota({1, 1, 1, 4}).requires_grad_();
  tg::sum(conv(xr, tg::PadMode::reflect)).backward();
  check_values(xr.grad(), {2, 4, 4, 2});
}

TEST_CASE("conv2d padding same and padding modes refuse bad options") {
  const Tensor x = tg::zeros({1, 1, 4, 4}, tg::f64), w = tg::zeros({1, 1, 3, 3}, tg::f64);
  CHECK_ERROR(tg::conv2d(x, w, {}, {.stride = 2, .padding_same = true}),
              "conv2d: padding \"same\" needs stride 1 (as in PyTorch), got [2, 2]");
  CHECK_ERROR(tg::conv2d(x, w, {}, {.padding = 1, .padding_same = true}),
              "padding \"same\" computes the padding itself, but padding [1, 1] was given");
  CHECK_ERROR(tg::conv2d(x, w, {}, {.padding_mode = static_cast<tg::PadMode>(5)}), "padding_mode 5 is not constant");
  CHECK_ERROR(tg::conv2d(x, w, {}, {.padding = 4, .padding_mode = tg::PadMode::reflect}),
              "pad: reflect padding (4, 4) of dim 3 must be smaller than its size 4");
  CHECK_ERROR(tg::conv2d(x, w, {}, {.padding = -1, .padding_mode = tg::PadMode::replicate}), "padding must be >= 0");
  CHECK_ERROR(tg::conv2d(tg::zeros({1, 4, 4}, tg::f64), w, {}, {.padding_same = true}), "conv2d: input has 3 dims");
  CHECK_ERROR(tg::conv2d(x, tg::zeros({1, 3, 3}, tg::f64), {}, {.padding_same = true}), "conv2d: weight has 3 dims");
  CHECK_ERROR(tg::conv2d(x, w, {}, {.dilation = 0, .padding_same = true}), "dilation must be >= 1");
  CHECK_ERROR(tg::conv2d_backward_input(tg::zeros({1, 1, 4, 4}, tg::f64), w, x.shape(), {.padding_same = true}),
              "conv2d_backward_input: padding_mode and padding_same are resolved by conv2d");
}

TEST_CASE("conv2d padding entries pass the op-table sweep") { CHECK(sweep_entries("conv2d_padding_") == 5); }
