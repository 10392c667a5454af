// Pooling and batch normalization: hand-computed values in f64 (reference kernels)
// and f32 at sizes that run on oneDNN, gradients, fractional pooling regions and their
// determinism, batch-norm statistics and running averages, and every error message.
#include <doctest/doctest.h>

#include <cmath>
#include <set>
#include <tapegrad/ops/normalization.hpp>
#include <tapegrad/ops/pooling.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

using tg::Tensor;

namespace {

// The 4 x 4 plane of the hand computations, repeated over `planes` planes of [planes, 1, 4, 4].
Tensor tiled_plane(std::int64_t planes, tg::DType dtype) {
  const std::vector<double> plane{1, 3, 2, 0, 4, 0, 1, 5, 7, 2, 9, 1, 0, 8, 3, 6};
  std::vector<double> values;
  for (std::int64_t p = 0; p < planes; ++p) values.insert(values.end(), plane.begin(), plane.end());
  return tg::from_vector(values, {planes, 1, 4, 4}).to(dtype);
}

// Every plane of t ([P, 1, h, w]) equals `expected` (one plane, row-major).
void check_planes(const Tensor& t, const std::vector<double>& expected, double tolerance = 1e-6) {
  const auto v = t.to_vector<double>();
  REQUIRE(v.size() % expected.size() == 0);
  for (std::size_t i = 0; i < v.size(); ++i) {
    CAPTURE(i);
    CHECK(v[i] == doctest::Approx(expected[i % expected.size()]).epsilon(tolerance));
  }
}

void check_close(const Tensor& a, const Tensor& b, double tolerance) {
  REQUIRE(a.shape() == b.shape());
  const auto x = a.to_vector<double>(), y = b.to_vector<double>();
  double worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(x[i] - y[i]) / (1 + std::abs(y[i])));
  CHECK(worst < tolerance);
}

// Planes: 1 takes the reference kernels, 512 (8192 elements) oneDNN in f32.
struct Path {
  const char* name;
  std::int64_t planes;
  tg::DType dtype;
};
const Path kPaths[] = {{"f64 reference", 1, tg::f64}, {"f32 small (loops)", 1, tg::f32}, {"f32 oneDNN", 512, tg::f32}};

}  // namespace

TEST_CASE("max_pool2d: hand-computed values and gradients") {
  for (const Path& path : kPaths) {
    CAPTURE(path.name);
    Tensor x = tiled_plane(path.planes, path.dtype).requires_grad_();
    Tensor y = tg::max_pool2d(x, 2);
    CHECK(y.shape() == tg::Shape{path.planes, 1, 2, 2});
    check_planes(y, {4, 5, 8, 9});
    tg::sum(y).backward();
    check_planes(x.grad(), {0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0});

    // Overlapping windows (k3 s1): the 9 at (2, 2) is the max of all four windows.
    Tensor x2 = tiled_plane(path.planes, path.dtype).requires_grad_();
    Tensor y2 = tg::max_pool2d(x2, 3, 1);
    check_planes(y2, {9, 9, 9, 9});
    tg::sum(y2).backward();
    check_planes(x2.grad(), {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0});

    // Padding (k3 s2 p1): the windows are rows/cols {-1..1} and {1..3}.
    Tensor y3 = tg::max_pool2d(tiled_plane(path.planes, path.dtype), 3, 2, 1);
    check_planes(y3, {4, 5, 8, 9});
  }
}

TEST_CASE("max_pool2d_backward equals the gradient of max_pool2d and is differentiable in the gradient") {
  for (const Path& path : kPaths) {
    CAPTURE(path.name);
    Tensor x = tiled_plane(path.planes, path.dtype).requires_grad_();
    Tensor y = tg::max_pool2d(x, 3, 1, 0);
    Tensor g = tg::randn(y.shape(), path.dtype);
    y.backward(g);
    check_close(tg::max_pool2d_backward(g, x.detach(), 3, 1, 0), x.grad(), 1e-6);

    // d/dg <r, max_pool2d_backward(g)> = the selection of r at the maxima.
    Tensor gg = g.detach().requires_grad_();
    Tensor r = tg::randn(x.shape(), path.dtype);
    Tensor dx = tg::max_pool2d_backward(gg, x.detach(), 3, 1, 0);
    dx.backward(r);
    // Every window's max is the 9 at (2, 2) (flat 10).
    const auto rv = r.to_vector<double>();
    const auto got = gg.grad().to_vector<double>();
    for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(rv[(i / 4) * 16 + 10]));
  }
}

TEST_CASE("pooling output shapes") {
  CHECK(tg::max_pool2d(tg::zeros({2, 3, 28, 28}), 2).shape() == tg::Shape{2, 3, 14, 14});
  CHECK(tg::max_pool2d(tg::zeros({1, 1, 5, 7}), 3, 2).shape() == tg::Shape{1, 1, 2, 3});
  CHECK(tg::max_pool2d(tg::zeros({1, 2, 15, 15}), 3, 2, 1).shape() == tg::Shape{1, 2, 8, 8});
  CHECK(tg::max_pool2d(tg::zeros({2, 1, 6, 5}), {2, 3}, {2, 1}, {1, 1}).shape() == tg::Shape{2, 1, 4, 5});
  CHECK(tg::avg_pool2d(tg::zeros({4, 8, 7, 7}), 2).shape() == tg::Shape{4, 8, 3, 3});
  CHECK(tg::avg_pool2d(tg::zeros({4, 8, 7, 7}), 3, 2, 1, false).shape() == tg::Shape{4, 8, 4, 4});
  CHECK(tg::global_avg_pool2d(tg::zeros({4, 8, 7, 5})).shape() == tg::Shape{4, 8, 1, 1});
}

TEST_CASE("avg_pool2d: hand-computed values, count_include_pad changes only border windows") {
  for (const Path& path : kPaths) {
    CAPTURE(path.name);
    check_planes(tg::avg_pool2d(tiled_plane(path.planes, path.dtype), 2), {2, 2, 4.25, 4.75});
    // Ones, k3 s1 p1: with the padding counted a corner window holds 4 of 9 ones, an
    // edge window 6; without it every window averages 1.
    const Tensor ones = tg::ones({path.planes * 2, 1, 4, 4}, path.dtype);
    const double c = 4.0 / 9, e = 6.0 / 9;
    check_planes(tg::avg_pool2d(ones, 3, 1, 1, true), {c, e, e, c, e, 1, 1, e, e, 1, 1, e, c, e, e, c});
    check_planes(tg::avg_pool2d(ones, 3, 1, 1, false), std::vector<double>(16, 1.0));

    // Gradient of the sum: each input counts once per window holding it, over the divisor.
    Tensor x = tg::ones({path.planes * 2, 1, 4, 4}, path.dtype).requires_grad_();
    tg::sum(tg::avg_pool2d(x, 3, 2, 1, false)).backward();
    // Windows rows/cols {0, 1} (2 valid) and {1, 2, 3} (3 valid): row weight 1/2 or 1/3.
    const double a = 1.0 / 2, b = 1.0 / 2 + 1.0 / 3, d = 1.0 / 3;
    const double w[4] = {a, b, d, d};
    std::vector<double> expected;
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) expected.push_back(w[i] * w[j]);
    check_planes(x.grad(), expected);
  }
}

TEST_CASE("global_avg_pool2d is the mean over each plane") {
  const Tensor x = tiled_plane(3, tg::f64);
  const Tensor y = tg::global_avg_pool2d(x);
  CHECK(y.shape() == tg::Shape{3, 1, 1, 1});
  check_planes(y, {52.0 / 16});
}

TEST_CASE("pooling gradients of gradients (create_graph) match finite differences") {
  // Distinct values: no tie is crossed by the finite differences.
  std::vector<double> values(2 * 2 * 6 * 6);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = std::sin(1.7 * static_cast<double>(i)) * 2;
  const Tensor x = tg::from_vector(values, {2, 2, 6, 6});
  const auto squared = [](Tensor (*pool)(const Tensor&)) {
    return [pool](const std::vector<Tensor>& xs) {
      const Tensor y = pool(xs[0]);
      return y * y;
    };
  };
  const auto max_pool = [](const Tensor& t) { return tg::max_pool2d(t, 3, 2, 1); };
  const auto avg_pool = [](const Tensor& t) { return tg::avg_pool2d(t, 3, 2, 1, false); };
  const auto fractional = [](const Tensor& t) {
    tg::Generator replay = tg::default_generator();
    return tg::fractional_max_pool2d(t, {4, 5}, &replay);
  };
  tg::GradcheckOptions options;
  options.has_kinks = true;
  for (auto pool : {+max_pool, +avg_pool, +fractional}) {
    const tg::GradcheckReport report = tg::gradgradcheck(squared(pool), {x}, options);
    INFO(report.table());
    CHECK(report.passed());
  }
}

TEST_CASE("fractional_max_pool2d: output size, regions of size floor(a) or ceil(a), disjoint") {
  // x = h * W + w grows along both dims, so each output is its region's bottom-right
  // corner: the outputs spell out the region ends.
  const std::int64_t H = 10, W = 13, OH = 7, OW = 5;
  const Tensor x = tg::reshape(tg::arange(0.0, static_cast<double>(H * W), 1.0, tg::f64), {1, 1, H, W});
  tg::Generator gen(11);
  const Tensor y = tg::fractional_max_pool2d(x, {OH, OW}, &gen);
  REQUIRE(y.shape() == tg::Shape{1, 1, OH, OW});
  const auto v = y.to_vector<double>();
  std::int64_t previous_row_end = -1;
  for (std::int64_t oh = 0; oh < OH; ++oh) {
    const auto row_end = static_cast<std::int64_t>(v[static_cast<std::size_t>(oh * OW)]) / W;
    CHECK((row_end - previous_row_end == 1 || row_end - previous_row_end == 2));  // a = 10/7
    previous_row_end = row_end;
  }
  CHECK(previous_row_end == H - 1);
  std::int64_t previous_col_end = -1;
  for (std::int64_t ow = 0; ow < OW; ++ow) {
    const auto col_end = static_cast<std::int64_t>(v[static_cast<std::size_t>(ow)]) % W;
    CHECK((col_end - previous_col_end == 2 || col_end - previous_col_end == 3));  // a = 13/5
    previous_col_end = col_end;
  }
  CHECK(previous_col_end == W - 1);

  // Disjoint regions: the gradient of the sum is 1 at OH * OW distinct places.
  Tensor xr = tg::randn({2, 3, H, W}, tg::f64).requires_grad_();
  tg::sum(tg::fractional_max_pool2d(xr, {OH, OW})).backward();
  const auto g = xr.grad().to_vector<double>();
  double total = 0;
  for (double e : g) {
    CHECK((e == 0 || e == 1));
    total += e;
  }
  CHECK(total == 2 * 3 * OH * OW);

  CHECK(tg::fractional_max_pool2d(tg::zeros({2, 3, 10, 10}), 0.7).shape() == tg::Shape{2, 3, 7, 7});
  CHECK(tg::fractional_max_pool2d(tg::zeros({2, 3, 28, 28}), 1 / std::sqrt(2.0)).shape() == tg::Shape{2, 3, 19, 19});
}

TEST_CASE("fractional_max_pool2d: the same seed gives the same regions, another seed others") {
  const Tensor x = tg::randn({4, 2, 25, 25}, tg::f64);
  const auto pool = [&](std::uint64_t seed) {
    tg::Generator gen(seed);
    return tg::fractional_max_pool2d(x, {17, 17}, &gen).to_vector<double>();
  };
  CHECK(pool(7) == pool(7));
  CHECK(pool(7) != pool(8));
  // The default generator: manual_seed replays it.
  tg::manual_seed(3);
  const auto first = tg::fractional_max_pool2d(x, {17, 17}).to_vector<double>();
  const auto second = tg::fractional_max_pool2d(x, {17, 17}).to_vector<double>();
  tg::manual_seed(3);
  CHECK(tg::fractional_max_pool2d(x, {17, 17}).to_vector<double>() == first);
  CHECK(first != second);  // the stream moved on
  // f32 and f64 pick the same regions from the same state.
  tg::Generator a(9), b(9);
  check_close(tg::fractional_max_pool2d(x.to(tg::f32), {17, 17}, &a), tg::fractional_max_pool2d(x, {17, 17}, &b), 1e-6);
}

namespace {

// Per-channel mean and (biased) variance of y ([N, C] or [N, C, H, W]).
std::pair<std::vector<double>, std::vector<double>> channel_moments(const Tensor& y) {
  const std::int64_t N = y.size(0), C = y.size(1), S = y.numel() / (N * C);
  const auto v = y.to_vector<double>();
  std::vector<double> mean(static_cast<std::size_t>(C)), var(static_cast<std::size_t>(C));
  for (std::int64_t c = 0; c < C; ++c) {
    double s = 0, q = 0;
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t i = 0; i < S; ++i) s += v[static_cast<std::size_t>((n * C + c) * S + i)];
    const double m = s / static_cast<double>(N * S);
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t i = 0; i < S; ++i) q += std::pow(v[static_cast<std::size_t>((n * C + c) * S + i)] - m, 2);
    mean[static_cast<std::size_t>(c)] = m;
    var[static_cast<std::size_t>(c)] = q / static_cast<double>(N * S);
  }
  return {mean, var};
}

}  // namespace

TEST_CASE("batch_norm training: per-channel mean 0 and variance 1, then weight and bias") {
  for (tg::DType dtype : {tg::f64, tg::f32}) {
    // f32 [1024, 8] runs on oneDNN; [N, C, H, W] and small inputs on the loops.
    for (const tg::Shape& shape : {tg::Shape{64, 8, 4, 4}, tg::Shape{1024, 8}, tg::Shape{6, 3}}) {
      CAPTURE(shape.str());
      const Tensor x = tg::randn(shape, dtype) * 3.0 + 2.0;
      const auto [mean, var] = channel_moments(tg::batch_norm(x, {}, {}, {}, {}, true, 0.1, 1e-12));
      for (std::size_t c = 0; c < mean.size(); ++c) {
        CHECK(mean[c] == doctest::Approx(0).epsilon(1e-5).scale(1));
        CHECK(var[c] == doctest::Approx(1).epsilon(1e-4));
      }
      const std::int64_t C = shape[1];
      const Tensor w = tg::arange(1.0, static_cast<double>(C) + 1, 1.0, dtype);
      const Tensor b = tg::arange(0.0, static_cast<double>(C), 1.0, dtype) * -0.5;
      const auto [mean2, var2] = channel_moments(tg::batch_norm(x, w, b, {}, {}, true, 0.1, 1e-12));
      for (std::size_t c = 0; c < mean2.size(); ++c) {
        CHECK(mean2[c] == doctest::Approx(-0.5 * static_cast<double>(c)).epsilon(1e-5).scale(1));
        CHECK(var2[c] == doctest::Approx(std::pow(static_cast<double>(c) + 1, 2)).epsilon(1e-4));
      }
    }
  }
}

TEST_CASE("batch_norm: one training step updates the running statistics with the unbiased variance") {
  for (tg::DType dtype : {tg::f64, tg::f32}) {
    // Channel 0: 1 3 5 7 (mean 4, squares 20); channel 1: 2 4 6 12 (mean 6, squares 56).
    const Tensor x = tg::from_vector(std::vector<double>{1, 2, 3, 4, 5, 6, 7, 12}, {4, 2}).to(dtype);
    Tensor running_mean = tg::zeros({2}, dtype), running_var = tg::ones({2}, dtype);
    const std::uint64_t version = running_mean.version();
    tg::batch_norm(x, {}, {}, running_mean, running_var, true, 0.1);
    CHECK(running_mean.version() > version);
    const auto rm = running_mean.to_vector<double>(), rv = running_var.to_vector<double>();
    CHECK(rm[0] == doctest::Approx(0.9 * 0 + 0.1 * 4));
    CHECK(rm[1] == doctest::Approx(0.9 * 0 + 0.1 * 6));
    CHECK(rv[0] == doctest::Approx(0.9 * 1 + 0.1 * 20.0 / 3));
    CHECK(rv[1] == doctest::Approx(0.9 * 1 + 0.1 * 56.0 / 3));
    // Training output used the batch statistics: channel 0 at x = 7 is 3 / sqrt(5).
    const Tensor y = tg::batch_norm(x, {}, {}, {}, {}, true, 0.1, 0.0 + 1e-12);
    CHECK(y.to_vector<double>()[6] == doctest::Approx(3 / std::sqrt(5.0)).epsilon(1e-5));
  }
  // f32 on oneDNN ([2048, 4]) and on the loops ([32, 4, 8, 8]) match the f64 update.
  for (const tg::Shape& shape : {tg::Shape{2048, 4}, tg::Shape{32, 4, 8, 8}}) {
    const Tensor x = tg::randn(shape, tg::f64) * 2.0 + 1.0;
    Tensor rm64 = tg::full({4}, 0.5, tg::f64), rv64 = tg::full({4}, 2.0, tg::f64);
    Tensor rm32 = tg::full({4}, 0.5), rv32 = tg::full({4}, 2.0);
    tg::batch_norm(x, {}, {}, rm64, rv64, true, 0.25);
    tg::batch_norm(x.to(tg::f32), {}, {}, rm32, rv32, true, 0.25);
    check_close(rm32, rm64, 1e-5);
    check_close(rv32, rv64, 1e-5);
  }
}

TEST_CASE("batch_norm eval uses the running statistics, without them the batch statistics") {
  for (std::int64_t repeat : {1, 2048}) {  // [3, 2] on the loops; [6144, 2] on oneDNN in f32
    for (tg::DType dtype : {tg::f64, tg::f32}) {
      CAPTURE(repeat);
      std::vector<double> values;
      for (std::int64_t r = 0; r < repeat; ++r) values.insert(values.end(), {1, -1, 2, 0, 4, 3});
      const Tensor x = tg::from_vector(values, {3 * repeat, 2}).to(dtype);
      const Tensor rm = tg::from_vector(std::vector<double>{0.5, -1}, {2}).to(dtype);
      const Tensor rv = tg::from_vector(std::vector<double>{4, 0.25}, {2}).to(dtype);
      const Tensor w = tg::from_vector(std::vector<double>{2, 3}, {2}).to(dtype);
      const Tensor b = tg::from_vector(std::vector<double>{1, -1}, {2}).to(dtype);
      const Tensor y = tg::batch_norm(x, w, b, rm, rv, false, 0.1, 0.0 + 1e-12);
      // (x - rm) / sqrt(rv) * w + b per channel.
      std::vector<double> expected;
      for (std::int64_t r = 0; r < repeat; ++r)
        for (double row : {0.0, 1.0, 2.0}) {
          const double x0 = values[static_cast<std::size_t>(2 * row)],
                       x1 = values[static_cast<std::size_t>(2 * row + 1)];
          expected.push_back((x0 - 0.5) / 2 * 2 + 1);
          expected.push_back((x1 + 1) / 0.5 * 3 - 1);
        }
      check_close(y, tg::from_vector(expected, {3 * repeat, 2}), 1e-5);
      // Eval does not touch the running statistics.
      CHECK(rm.to_vector<double>() == std::vector<double>{0.5, -1});
      // Without running statistics eval normalizes with the batch's.
      const auto [mean, var] = channel_moments(tg::batch_norm(x, {}, {}, {}, {}, false, 0.1, 1e-12));
      CHECK(mean[0] == doctest::Approx(0).scale(1).epsilon(1e-5));
      CHECK(var[1] == doctest::Approx(1).epsilon(1e-4));
    }
  }
}

TEST_CASE("batch_norm backward: the fused kernels equal the differentiable (create_graph) formula") {
  for (bool training : {true, false}) {
    for (tg::DType dtype : {tg::f64, tg::f32}) {
      // [2048, 4] runs on oneDNN in f32; weight and bias each present or not.
      for (const tg::Shape& shape :
           {tg::Shape{5, 3}, tg::Shape{2048, 4}, tg::Shape{32, 4, 8, 8}, tg::Shape{2, 3, 2, 2}}) {
        for (int affine = 0; affine < 4; ++affine) {
          CAPTURE(training);
          CAPTURE(shape.str());
          CAPTURE(affine);
          const std::int64_t C = shape[1];
          const Tensor x = tg::randn(shape, dtype).requires_grad_();
          const Tensor w = (affine & 1) ? (tg::rand({C}, dtype) + 0.5).detach().requires_grad_() : Tensor{};
          const Tensor b = (affine & 2) ? tg::randn({C}, dtype).requires_grad_() : Tensor{};
          const Tensor rm = tg::randn({C}, dtype), rv = tg::rand({C}, dtype) + 0.5;
          const Tensor g = tg::randn(shape, dtype);
          std::vector<Tensor> inputs{x};
          if (w.defined()) inputs.push_back(w);
          if (b.defined()) inputs.push_back(b);
          const auto grads = [&](bool create_graph) {
            const Tensor y = tg::batch_norm(x, w, b, rm.clone(), rv.clone(), training);
            tg::BackwardOptions options;
            options.create_graph = create_graph;
            const Tensor outputs[] = {y}, grad_outputs[] = {g};
            return tg::grad(outputs, inputs, grad_outputs, options);
          };
          const auto fused = grads(false), composite = grads(true);
          for (std::size_t i = 0; i < inputs.size(); ++i)
            check_close(fused[i], composite[i], dtype == tg::f64 ? 1e-12 : 1e-4);
        }
      }
    }
  }
}

TEST_CASE("pooling errors name the op and the offending sizes") {
  CHECK_ERROR(tg::max_pool2d(tg::zeros({1, 28, 28}), 2),
              "max_pool2d: input has 3 dims [1, 28, 28], expected 4 (N, C, H, W)");
  CHECK_ERROR(tg::avg_pool2d(tg::zeros({28, 28}), 2), "avg_pool2d: input has 2 dims [28, 28], expected 4 (N, C, H, W)");
  CHECK_ERROR(tg::global_avg_pool2d(tg::zeros({2, 3})), "global_avg_pool2d: input has 2 dims [2, 3], expected 4");
  CHECK_ERROR(tg::fractional_max_pool2d(tg::zeros({3, 8, 8}), {4, 4}),
              "fractional_max_pool2d: input has 3 dims [3, 8, 8], expected 4");
  CHECK_ERROR(tg::max_pool2d(tg::zeros({1, 1, 3, 3}), 4),
              "max_pool2d: kernel (4, 4) is larger than the padded input (3, 3) (input [1, 1, 3, 3], padding (0, 0))");
  CHECK_ERROR(tg::avg_pool2d(tg::zeros({1, 1, 3, 2}), {3, 5}, 1, {1, 1}),
              "avg_pool2d: kernel (3, 5) is larger than the padded input (5, 4)");
  CHECK_ERROR(tg::max_pool2d(tg::zeros({1, 1, 8, 8}), 2, 2, 2),
              "max_pool2d: padding (2, 2) is more than half the kernel (2, 2)");
  CHECK_ERROR(tg::avg_pool2d(tg::zeros({1, 1, 8, 8}), {3, 3}, 1, {1, 2}),
              "avg_pool2d: padding (1, 2) is more than half the kernel (3, 3)");
  CHECK_ERROR(tg::max_pool2d(tg::zeros({1, 1, 8, 8}), 2, 0),
              "max_pool2d: stride (0, 0) must be at least 1 in each dim");
  CHECK_ERROR(tg::avg_pool2d(tg::zeros({1, 1, 8, 8}), 2, {1, -1}), "avg_pool2d: stride (1, -1) must be at least 1");
  CHECK_ERROR(tg::max_pool2d(tg::zeros({1, 1, 8, 8}), {0, 2}), "max_pool2d: kernel (0, 2) must be at least 1");
  CHECK_ERROR(tg::max_pool2d(tg::arange(16), 2), "max_pool2d: expected a floating tensor (f32 or f64), got i64");
  CHECK_ERROR(tg::max_pool2d_backward(tg::zeros({1, 1, 2, 2}), tg::zeros({1, 1, 4, 4}, tg::f64), 2, 2),
              "max_pool2d_backward: dtypes differ: f32 [1, 1, 2, 2] and f64 [1, 1, 4, 4]");
  CHECK_ERROR(
      tg::max_pool2d_backward(tg::zeros({1, 1, 3, 3}), tg::zeros({1, 1, 4, 4}), 2, 2),
      "max_pool2d_backward: grad_output has shape [1, 1, 3, 3], expected the pooling's output shape [1, 1, 2, 2]");
  CHECK_ERROR(tg::fractional_max_pool2d(tg::zeros({1, 1, 8, 8}), {9, 4}),
              "fractional_max_pool2d: output size (9, 4) must be between (1, 1) and the input's (8, 8)");
  CHECK_ERROR(tg::fractional_max_pool2d(tg::zeros({1, 1, 8, 8}), 1.5),
              "fractional_max_pool2d: output ratio 1.5 must be in (0, 1]");
}

TEST_CASE("batch_norm errors name the argument and the shapes") {
  const Tensor x = tg::zeros({4, 3});
  CHECK_ERROR(tg::batch_norm(x, tg::ones({4}), {}, {}, {}, true),
              "batch_norm: weight has shape [4], expected [3] (one per channel of input [4, 3])");
  CHECK_ERROR(tg::batch_norm(x, {}, tg::ones({2}), {}, {}, true), "batch_norm: bias has shape [2], expected [3]");
  CHECK_ERROR(tg::batch_norm(x, {}, {}, tg::zeros({5}), tg::ones({5}), false),
              "batch_norm: running_mean has shape [5], expected [3]");
  CHECK_ERROR(tg::batch_norm(x, {}, {}, tg::zeros({3}), tg::ones({3, 1}), false),
              "batch_norm: running_var has shape [3, 1], expected [3]");
  CHECK_ERROR(tg::batch_norm(x, {}, {}, tg::zeros({3}), {}, false),
              "batch_norm: running_mean and running_var must be given together");
  CHECK_ERROR(tg::batch_norm(tg::zeros({2, 3, 4}), {}, {}, {}, {}, true),
              "batch_norm: input has 3 dims [2, 3, 4], expected 2 (N, C) or 4 (N, C, H, W)");
  CHECK_ERROR(tg::batch_norm(tg::zeros({1, 3}), {}, {}, {}, {}, true),
              "batch_norm: expected more than 1 value per channel when training, got input of shape [1, 3]");
  CHECK_ERROR(tg::batch_norm(tg::zeros({1, 3, 1, 1}), {}, {}, tg::zeros({3}), tg::ones({3}), true),
              "batch_norm: expected more than 1 value per channel when training, got input of shape [1, 3, 1, 1]");
  CHECK_NOTHROW(tg::batch_norm(tg::zeros({1, 3}), {}, {}, tg::zeros({3}), tg::ones({3}), false));  // eval: fine
  CHECK_ERROR(tg::batch_norm(x, tg::ones({3}, tg::f64), {}, {}, {}, true),
              "batch_norm: weight is f64 [3], the input is f32 [4, 3]");
  CHECK_ERROR(tg::batch_norm(x, {}, {}, tg::zeros({3}, tg::f64), tg::ones({3}, tg::f64), false),
              "batch_norm: running_mean is f64 [3], the input is f32 [4, 3]");
  CHECK_ERROR(tg::batch_norm(tg::arange(12), {}, {}, {}, {}, true),
              "batch_norm: expected a floating tensor (f32 or f64), got i64");
}

TEST_CASE("pooling and batch norm reuse their oneDNN primitives") {
  const Tensor x = tg::randn({8, 16, 16, 16}).requires_grad_();
  const auto step = [&] {
    // [128, 64] batch norm runs on oneDNN; so do the poolings at these sizes.
    const Tensor y = tg::reshape(tg::max_pool2d(x, 2), {128, 64});
    const Tensor z = tg::reshape(tg::batch_norm(y, {}, {}, {}, {}, true), {8, 16, 8, 8});
    tg::sum(tg::avg_pool2d(z, 2) * tg::avg_pool2d(z, 2)).backward();
  };
  step();
  const std::int64_t created = tg::dnnl_primitives_created();
  step();
  CHECK(tg::dnnl_primitives_created() == created);
}
