// nn layers: each computes exactly its op; default initialization; bad arguments.
#include <doctest/doctest.h>

#include <cmath>
#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

using tg::Tensor;
using namespace tg::nn;
using std::make_shared;

// Approx(x).epsilon(r).scale(0) is a relative tolerance r (doctest's default scale of 1
// would add r as an absolute tolerance, too loose for small values).
namespace {

std::vector<float> values(const Tensor& t) { return t.to_vector<float>(); }

double sample_std(const Tensor& t) {
  const auto v = t.to_vector<double>();
  double mean = 0;
  for (double x : v) mean += x;
  mean /= static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

double max_abs(const Tensor& t) {
  double m = 0;
  for (double x : t.to_vector<double>()) m = std::max(m, std::abs(x));
  return m;
}

}  // namespace

TEST_CASE("nn Linear and Conv2d compute their op with their parameters") {
  tg::manual_seed(3);
  Linear linear(5, 4);
  const Tensor x = tg::randn({3, 5});
  CHECK(values(linear(x)) == values(tg::linear(x, linear.weight(), linear.bias())));
  CHECK(linear.weight().shape() == tg::Shape{4, 5});
  Linear no_bias(5, 4, false);
  CHECK_FALSE(no_bias.bias().defined());
  CHECK(no_bias.named_parameters().size() == 1);

  const tg::Conv2dOptions options{.stride = 2, .padding = 1, .dilation = 1, .groups = 2};
  Conv2d conv(4, 6, 3, options);
  CHECK(conv.weight().shape() == tg::Shape{6, 2, 3, 3});
  const Tensor image = tg::randn({2, 4, 7, 7});
  CHECK(values(conv(image)) == values(tg::conv2d(image, conv.weight(), conv.bias(), options)));
}

TEST_CASE("nn pooling, activation, Flatten and Residual layers equal their ops") {
  tg::manual_seed(4);
  const Tensor x = tg::randn({2, 3, 8, 8});
  CHECK(values(MaxPool2d(2)(x)) == values(tg::max_pool2d(x, 2, 2, 0)));
  CHECK(values(MaxPool2d(3, tg::Size2d(2), 1)(x)) == values(tg::max_pool2d(x, 3, 2, 1)));
  CHECK(values(AvgPool2d(2)(x)) == values(tg::avg_pool2d(x, 2, 2, 0)));
  CHECK(values(AvgPool2d(3, tg::Size2d(1), 1, false)(x)) == values(tg::avg_pool2d(x, 3, 1, 1, false)));
  CHECK(values(ReLU()(x)) == values(tg::relu(x)));
  CHECK(values(LeakyReLU(0.2)(x)) == values(tg::leaky_relu(x, 0.2)));
  CHECK(values(Tanh()(x)) == values(tg::tanh(x)));
  CHECK(values(Sigmoid()(x)) == values(tg::sigmoid(x)));

  const Tensor flat = Flatten()(x);
  CHECK(flat.shape() == tg::Shape{2, 192});
  CHECK(values(flat) == values(x));
  CHECK(Flatten(2)(x).shape() == tg::Shape{2, 3, 64});

  auto branch = make_shared<Tanh>();
  CHECK(values(Residual(branch)(x)) == values(x + tg::tanh(x)));
  CHECK(Sequential().forward(x).same(x));
}

TEST_CASE("nn FractionalMaxPool2d: fresh regions in training, fixed ones in eval") {
  tg::manual_seed(5);
  const Tensor x = tg::randn({2, 3, 10, 10});
  tg::Generator module_gen(7), op_gen(7);
  FractionalMaxPool2d pool(OutputSize{tg::Size2d(6)}, &module_gen);
  const Tensor first = pool(x);
  CHECK(values(first) == values(tg::fractional_max_pool2d(x, tg::Size2d(6), &op_gen)));
  CHECK(values(pool(x)) != values(first));  // a new draw of the regions

  pool.eval();
  tg::Generator fixed(FractionalMaxPool2d::eval_seed);
  const auto evaluated = values(pool(x));
  CHECK(evaluated == values(tg::fractional_max_pool2d(x, tg::Size2d(6), &fixed)));
  CHECK(values(pool(x)) == evaluated);

  FractionalMaxPool2d by_ratio(OutputRatio{0.7});
  CHECK(by_ratio(x).shape() == tg::Shape{2, 3, 7, 7});
  CHECK(by_ratio.name() == "FractionalMaxPool2d(ratio=0.7)");
}

TEST_CASE("nn Linear and Conv2d default to He init (std sqrt(2 / fan_in)) and zero biases") {
  tg::manual_seed(11);
  Linear linear(1000, 500);
  CHECK(sample_std(linear.weight()) == doctest::Approx(std::sqrt(2.0 / 1000)).epsilon(0.05).scale(0));
  CHECK(max_abs(linear.bias()) == 0.0);
  Conv2d conv(64, 128, 3);  // 73728 weights, fan_in 576
  CHECK(sample_std(conv.weight()) == doctest::Approx(std::sqrt(2.0 / 576)).epsilon(0.05).scale(0));
  CHECK(max_abs(conv.bias()) == 0.0);
}

TEST_CASE("nn tg::manual_seed makes model construction reproducible") {
  tg::manual_seed(42);
  Linear a(30, 20);
  tg::manual_seed(42);
  Linear b(30, 20);
  CHECK(values(a.weight()) == values(b.weight()));
  tg::Generator g1(9), g2(9);
  CHECK(values(Linear(30, 20, true, &g1).weight()) == values(Linear(30, 20, true, &g2).weight()));
}

TEST_CASE("nn layer arguments are checked") {
  CHECK_ERROR(Linear(0, 3), "Linear: sizes must be positive, got in_features 0, out_features 3");
  CHECK_ERROR(Conv2d(3, 4, 3, tg::Conv2dOptions{.groups = 2}),
              "Conv2d: groups = 2 must divide in_channels = 3 and out_channels = 4");
  CHECK_ERROR(Conv2d(3, 4, 0), "Conv2d: kernel must be positive, got (0, 0)");
  CHECK_ERROR(Flatten()(tg::zeros({5})), "Flatten: input has 1 dims [5], expected more than start_dim = 1");
  CHECK_ERROR(FractionalMaxPool2d(OutputRatio{1.5}), "FractionalMaxPool2d: ratio must be in (0, 1], got 1.5");
  CHECK_ERROR(FractionalMaxPool2d(OutputSize{0}), "FractionalMaxPool2d: output size must be positive, got (0, 0)");
  CHECK_ERROR(Residual(nullptr), "Residual: the branch is null");
  CHECK_ERROR(Sequential().at(0), "Sequential: index 0 is out of range for 0 modules");
  CHECK_ERROR(Linear(5, 4)(tg::zeros({2, 3})), "linear");  // the op's own message
  CHECK_ERROR(Conv2d(0, 4, 3), "Conv2d: channel counts must be positive, got in 0, out 4");
  CHECK_ERROR(Flatten(-1), "Flatten: start_dim must be non-negative, got -1");
  CHECK_ERROR(Sequential().push_back(nullptr), "Sequential::push_back: module 0 is null");
}
