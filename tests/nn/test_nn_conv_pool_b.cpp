// The modules of the newer convolution and pooling ops: ConvTranspose2d, Upsample,
// AdaptiveAvgPool2d, AdaptiveMaxPool2d, MaxUnpool2d and Conv2d's padding modes.
#include <doctest/doctest.h>

#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"
#include "tensor_values.hpp"

using tg::Tensor;
using tg::test::check_values;

TEST_CASE("ConvTranspose2d module: parameter shapes, output shape and errors") {
  tg::Generator gen(1);
  tg::nn::ConvTranspose2d m(4, 6, {3, 3}, {.stride = 2, .padding = 1, .output_padding = 1, .groups = 2}, true, &gen);
  CHECK(m.weight().shape() == tg::Shape{4, 3, 3, 3});
  CHECK(m.bias().shape() == tg::Shape{6});
  CHECK(m.parameters().size() == 2);
  CHECK(m(tg::zeros({2, 4, 5, 5})).shape() == tg::Shape{2, 6, 10, 10});
  CHECK(m.extra_repr() == "4, 6, kernel=3, stride=2, padding=1, output_padding=1, groups=2");
  tg::nn::ConvTranspose2d no_bias(2, 2, {2, 2}, {}, false, &gen);
  CHECK_FALSE(no_bias.bias().defined());
  CHECK_ERROR(tg::nn::ConvTranspose2d(0, 2, {2, 2}), "ConvTranspose2d: channel counts must be positive");
  CHECK_ERROR(tg::nn::ConvTranspose2d(2, 2, {0, 2}), "ConvTranspose2d: kernel must be positive");
  CHECK_ERROR(tg::nn::ConvTranspose2d(3, 2, {2, 2}, {.groups = 2}), "ConvTranspose2d: groups = 2 must divide");
}

TEST_CASE("Upsample module: output shape, values, repr and errors") {
  tg::nn::Upsample up({.scale = 2.0});
  const Tensor x = tg::reshape(tg::arange(1, 5, 1, tg::f64), {1, 1, 2, 2});
  check_values(up(x), {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
  CHECK(up.parameters().empty());
  CHECK(up.extra_repr() == "scale=2, mode=nearest");
  tg::nn::Upsample bilinear({.size = {3, 5}, .mode = tg::InterpolateMode::bilinear, .align_corners = true});
  CHECK(bilinear(x).shape() == tg::Shape{1, 1, 3, 5});
  CHECK(bilinear.extra_repr() == "size=(3, 5), mode=bilinear, align_corners=true");
  CHECK_ERROR(tg::nn::Upsample({}), "Upsample: give exactly one of size and scale");
}

TEST_CASE("MaxPool2d with dilation and ceil_mode, indices and MaxUnpool2d round trip") {
  const Tensor x = tg::reshape(tg::arange(1, 17, 1, tg::f64), {1, 1, 4, 4});
  tg::nn::MaxPool2d ceil(2, 2, 0, 1, true);
  CHECK(ceil(tg::zeros({1, 1, 5, 5}, tg::f64)).shape() == tg::Shape{1, 1, 3, 3});
  CHECK(ceil.extra_repr() == "kernel=2, stride=2, padding=0, ceil_mode=true");
  tg::nn::MaxPool2d dilated(2, 1, 0, 2);
  CHECK(dilated(x).shape() == tg::Shape{1, 1, 2, 2});
  check_values(dilated(x), {11, 12, 15, 16});
  CHECK(dilated.extra_repr() == "kernel=2, stride=1, padding=0, dilation=2");
  tg::nn::MaxPool2d pool(2);
  const tg::PoolWithIndices p = pool.forward_with_indices(x);
  tg::nn::MaxUnpool2d unpool(2);
  check_values(unpool.unpool(p.values, p.indices), {0, 0, 0, 0, 0, 6, 0, 8, 0, 0, 0, 0, 0, 14, 0, 16});
  CHECK(unpool.unpool(p.values, p.indices, {5, 5}).shape() == tg::Shape{1, 1, 5, 5});
  CHECK(unpool.extra_repr() == "kernel=2, stride=2, padding=0");
  CHECK_ERROR(unpool(x), "MaxUnpool2d: forward takes one tensor");
}

TEST_CASE("AdaptiveAvgPool2d and AdaptiveMaxPool2d modules") {
  const Tensor x = tg::reshape(tg::arange(1, 10, 1, tg::f64), {1, 1, 3, 3});
  tg::nn::AdaptiveAvgPool2d avg(2);
  check_values(avg(x), {3, 4, 6, 7});
  CHECK(avg.extra_repr() == "output_size=2");
  tg::nn::AdaptiveMaxPool2d mx({2, 1});
  check_values(mx(x), {6, 9});
  CHECK(mx.forward_with_indices(x).indices.to_vector<std::int64_t>() == std::vector<std::int64_t>{5, 8});
  CHECK(mx.extra_repr() == "output_size=(2, 1)");
  CHECK(avg.parameters().empty());
  CHECK_ERROR(tg::nn::AdaptiveAvgPool2d(0), "AdaptiveAvgPool2d: output size must be positive");
  CHECK_ERROR(tg::nn::AdaptiveMaxPool2d({1, -1}), "AdaptiveMaxPool2d: output size must be positive");
}

TEST_CASE("Conv2d module with padding same and padding_mode") {
  tg::Generator gen(2);
  tg::nn::Conv2d same(2, 3, {2, 4}, {.padding_same = true}, true, &gen);
  CHECK(same(tg::zeros({1, 2, 5, 7})).shape() == tg::Shape{1, 3, 5, 7});
  CHECK(same.extra_repr() == "2, 3, kernel=(2, 4), padding=same");
  tg::nn::Conv2d reflect(2, 3, {3, 3}, {.padding = 1, .padding_mode = tg::PadMode::reflect}, false, &gen);
  CHECK(reflect(tg::zeros({1, 2, 5, 7})).shape() == tg::Shape{1, 3, 5, 7});
  CHECK(reflect.extra_repr() == "2, 3, kernel=3, padding=1, bias=false, padding_mode=reflect");
}
