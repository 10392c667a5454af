// NaN stays visible through activations, on the small-tensor loops and on oneDNN
// (large f32), as in NumPy and PyTorch: a diverged layer cannot hide behind a ReLU.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <tapegrad/tapegrad.hpp>

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// [n] of -1, 2, NaN repeated: n = 6 runs the plain loops, n = 3 * 2^16 oneDNN's f32
// eltwise (above every size threshold).
tg::Tensor with_nans(std::int64_t n, tg::DType dtype) {
  std::vector<double> v(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = i % 3 == 0 ? -1.0 : i % 3 == 1 ? 2.0 : kNaN;
  return tg::from_vector(v, tg::Shape{n}).to(dtype);
}

// Every third element (the NaN inputs) is NaN, the others finite.
void check_nan_positions(const tg::Tensor& t) {
  const std::vector<double> v = t.to_vector<double>();
  std::int64_t wrong = 0;
  for (std::size_t i = 0; i < v.size(); ++i)
    if (std::isnan(v[i]) != (i % 3 == 2)) ++wrong;
  CHECK(wrong == 0);
}

struct Case {
  const char* dtype;
  tg::DType type;
  std::int64_t n;
};
const Case kCases[] = {{"f64 small", tg::f64, 6}, {"f32 small", tg::f32, 6}, {"f32 oneDNN", tg::f32, 3 << 16}};

}  // namespace

TEST_CASE("relu and leaky_relu of NaN are NaN on every path, and their gradient at NaN is NaN") {
  const std::vector<std::pair<const char*, std::function<tg::Tensor(const tg::Tensor&)>>> ops = {
      {"relu", [](const tg::Tensor& x) { return tg::relu(x); }},
      {"leaky_relu 0.1", [](const tg::Tensor& x) { return tg::leaky_relu(x, 0.1); }},
      {"leaky_relu 0", [](const tg::Tensor& x) { return tg::leaky_relu(x, 0.0); }},
  };
  for (const auto& c : kCases) {
    for (const auto& [name, op] : ops) {
      const std::string path = c.dtype, op_name = name;
      CAPTURE(path);
      CAPTURE(op_name);
      tg::Tensor x = with_nans(c.n, c.type).requires_grad_(true);
      const tg::Tensor y = op(x);
      check_nan_positions(y);
      CHECK(y.to_vector<double>()[1] == 2.0);
      tg::sum(y * 1.0).backward(tg::Tensor{});
      const std::vector<double> g = x.grad().to_vector<double>();
      CHECK(std::isnan(g[2]));
      CHECK(g[1] == 1.0);
      CHECK(!std::isnan(g[0]));
    }
  }
  CHECK(tg::relu(tg::from_vector(std::vector<double>{-3.0, 0.0}, tg::Shape{2})).to_vector<double>() ==
        std::vector<double>{0.0, 0.0});
}

TEST_CASE("every activation keeps NaN on oneDNN's f32 path as on the reference loops") {
  const std::vector<std::pair<const char*, std::function<tg::Tensor(const tg::Tensor&)>>> ops = {
      {"exp", [](const tg::Tensor& x) { return tg::exp(x); }},
      {"tanh", [](const tg::Tensor& x) { return tg::tanh(x); }},
      {"sigmoid", [](const tg::Tensor& x) { return tg::sigmoid(x); }},
      {"elu", [](const tg::Tensor& x) { return tg::elu(x, 1.0); }},
      {"gelu", [](const tg::Tensor& x) { return tg::gelu(x); }},
      {"abs", [](const tg::Tensor& x) { return tg::abs(x); }},
      {"square", [](const tg::Tensor& x) { return tg::square(x); }},
      {"affine", [](const tg::Tensor& x) { return x * 3.0 + 1.0; }},
      {"clamp", [](const tg::Tensor& x) { return tg::clamp(x, -0.5, 0.5); }},
  };
  for (const auto& c : kCases) {
    for (const auto& [name, op] : ops) {
      const std::string path = c.dtype, op_name = name;
      CAPTURE(path);
      CAPTURE(op_name);
      check_nan_positions(op(with_nans(c.n, c.type)));
    }
  }
}

TEST_CASE("max-like ops keep NaN on oneDNN's f32 path as on the reference loops") {
  // [64, 32, 8, 8] (131072 elements: above the pooling, reduction and softmax
  // thresholds), one NaN in the first 2x2 window of plane 0.
  for (const auto& [label, dtype] : {std::pair{"f64", tg::f64}, std::pair{"f32", tg::f32}}) {
    const std::string dtype_label = label;
    CAPTURE(dtype_label);
    tg::Tensor x = tg::rand({64, 32, 8, 8}, dtype);
    tg::Tensor x_nan = x.clone();
    {
      std::vector<double> v = x.to_vector<double>();
      v[1] = kNaN;
      x_nan = tg::from_vector(v, x.shape()).to(dtype);
    }
    CHECK(std::isnan(tg::max(x_nan).item()));
    CHECK(std::isnan(tg::min(x_nan).item()));
    CHECK(std::isnan(tg::max(x_nan, {3}).to_vector<double>()[0]));
    CHECK(!std::isnan(tg::max(x_nan, {3}).to_vector<double>()[1]));
    CHECK(std::isnan(tg::max_pool2d(x_nan, 2).to_vector<double>()[0]));
    CHECK(!std::isnan(tg::max_pool2d(x_nan, 2).to_vector<double>()[1]));
    CHECK(std::isnan(tg::logsumexp(x_nan).item()));
    CHECK(std::isnan(tg::softmax(x_nan, -1).to_vector<double>()[0]));
    const tg::Tensor big = tg::reshape(x_nan, {-1});
    const tg::Tensor other = tg::zeros({64 * 32 * 8 * 8 * 8}, dtype);
    const tg::Tensor wide = tg::reshape(tg::expand(tg::unsqueeze(big, 0), {8, big.numel()}), {-1});
    CHECK(std::isnan(tg::maximum(wide, other).to_vector<double>()[1]));
    CHECK(std::isnan(tg::minimum(other, wide).to_vector<double>()[1]));
  }
}
