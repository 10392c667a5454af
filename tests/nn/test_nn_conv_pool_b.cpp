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
