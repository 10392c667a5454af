// Augmentation facts: a flip reverses each row, a crop at offset (0, 0) after padding p
// shifts the image by p, jitter of strength 0 is the identity, the flip fraction is
// about p, crop offsets and jitter factors cover their ranges; all seeded.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <tapegrad/nn/data/augment.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

namespace data = tg::nn::data;
using tg::Tensor;

// text may be a std::string (messages that hold temporary paths).
namespace {

// [n, c, h, w] with value at (i, ch, y, x) = 1000 i + 100 ch + 10 y + x + 1 (never 0).
Tensor coded(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w) {
  std::vector<float> v;
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t ch = 0; ch < c; ++ch)
      for (std::int64_t y = 0; y < h; ++y)
        for (std::int64_t x = 0; x < w; ++x) v.push_back(static_cast<float>(1000 * i + 100 * ch + 10 * y + x + 1));
  return tg::from_vector(v, {n, c, h, w});
}

float at(const std::vector<float>& v, const tg::Shape& s, std::int64_t i, std::int64_t c, std::int64_t y, std::int64_t x) {
  return v[static_cast<std::size_t>(((i * s[1] + c) * s[2] + y) * s[3] + x)];
}

}  // namespace

TEST_CASE("data augment: a flipped image has every row reversed, unflipped images are copied") {
  const Tensor x = coded(2, 2, 3, 4);
  const std::vector<std::uint8_t> which{1, 0};
  const Tensor f = data::flip_horizontal(x, which);
  const std::vector<float> a = x.to_vector<float>(), b = f.to_vector<float>();
  for (std::int64_t c = 0; c < 2; ++c)
    for (std::int64_t y = 0; y < 3; ++y)
      for (std::int64_t w = 0; w < 4; ++w) {
        CHECK(at(b, x.shape(), 0, c, y, w) == at(a, x.shape(), 0, c, y, 3 - w));
        CHECK(at(b, x.shape(), 1, c, y, w) == at(a, x.shape(), 1, c, y, w));
      }
}

TEST_CASE("data augment: crop at offset (0, 0) after padding p shifts the image by p, (p, p) is the identity") {
  const Tensor x = coded(1, 2, 5, 6);
  const std::vector<std::int64_t> zero{0}, p{2}, far{4};
  const std::vector<float> a = x.to_vector<float>();
  const std::vector<float> shifted = data::crop_padded(x, 2, zero, zero).to_vector<float>();
  for (std::int64_t c = 0; c < 2; ++c)
    for (std::int64_t y = 0; y < 5; ++y)
      for (std::int64_t w = 0; w < 6; ++w) {
        const float expected = (y >= 2 && w >= 2) ? at(a, x.shape(), 0, c, y - 2, w - 2) : 0.0f;
        CHECK(at(shifted, x.shape(), 0, c, y, w) == expected);
      }
  CHECK(data::crop_padded(x, 2, p, p).to_vector<float>() == a);
  // Offset (0, 4): down by 2, left by 2.
  const std::vector<float> mixed = data::crop_padded(x, 2, zero, far).to_vector<float>();
  CHECK(at(mixed, x.shape(), 0, 1, 2, 0) == at(a, x.shape(), 0, 1, 0, 2));
  CHECK(at(mixed, x.shape(), 0, 1, 2, 4) == 0.0f);
  // Padding beyond the image: offset (0, 0) with p = 7 leaves nothing.
  const std::vector<float> empty = data::crop_padded(x, 7, zero, zero).to_vector<float>();
  CHECK(std::all_of(empty.begin(), empty.end(), [](float v) { return v == 0.0f; }));
}

TEST_CASE("data augment: random crop offsets are uniform on [0, 2p] in both directions") {
  // All-ones 8 x 8 images padded by 4: the ones land in rows [4 - top, 12 - top) and
  // columns [4 - left, 12 - left), clipped to [0, 8); the first and last row (column)
  // holding a one give the offset back.
  const Tensor x = tg::ones({4500, 1, 8, 8});
  tg::Generator gen(4);
  const std::vector<float> out = data::random_crop(x, 4, gen).to_vector<float>();
  std::vector<int> top_counts(9), left_counts(9);
  for (std::size_t i = 0; i < 4500; ++i) {
    const float* image = out.data() + 64 * i;
    std::int64_t first_row = 8, last_row = -1, first_col = 8, last_col = -1;
    for (std::int64_t y = 0; y < 8; ++y)
      for (std::int64_t w = 0; w < 8; ++w)
        if (image[y * 8 + w] != 0.0f) {
          first_row = std::min(first_row, y), last_row = std::max(last_row, y);
          first_col = std::min(first_col, w), last_col = std::max(last_col, w);
        }
    REQUIRE(last_row >= 0);  // an 8 x 8 crop always keeps part of the image with p = 4
    ++top_counts[first_row > 0 ? 4 - first_row : 11 - last_row];
    ++left_counts[first_col > 0 ? 4 - first_col : 11 - last_col];
  }
  // Each of the 9 offsets expected 500 times (sd about 22); allow 5 sd.
  for (int k = 0; k < 9; ++k) {
    CAPTURE(k);
    CHECK(std::abs(top_counts[k] - 500) < 110);
    CHECK(std::abs(left_counts[k] - 500) < 110);
  }
}

TEST_CASE("data augment: jitter of strength 0 is the identity, otherwise x * c + b within the ranges") {
  tg::Generator gen(5);
  const Tensor x = tg::rand({300, 1, 2, 2}, tg::f32, &gen) + 0.5f;
  CHECK(data::random_brightness_contrast(x, 0.0, gen).to_vector<float>() == x.to_vector<float>());
  const std::vector<float> a = x.to_vector<float>();
  const std::vector<float> b = data::random_brightness_contrast(x, 0.3, gen).to_vector<float>();
  double c_min = 10, c_max = -10, b_min = 10, b_max = -10;
  for (std::size_t i = 0; i < 300; ++i) {
    // Two pixels of one image fix its c and b: c = (y1 - y0) / (x1 - x0).
    const double c = (b[4 * i + 1] - b[4 * i]) / (a[4 * i + 1] - a[4 * i]);
    const double shift = b[4 * i] - c * a[4 * i];
    c_min = std::min(c_min, c), c_max = std::max(c_max, c);
    b_min = std::min(b_min, shift), b_max = std::max(b_max, shift);
    // The same c and b for the image's other pixels.
    CHECK(b[4 * i + 3] == doctest::Approx(c * a[4 * i + 3] + shift).epsilon(1e-3));
  }
  CHECK(c_min >= 0.7 - 1e-3);
  CHECK(c_max <= 1.3 + 1e-3);
  CHECK(b_min >= -0.3 - 1e-3);
  CHECK(b_max <= 0.3 + 1e-3);
  // 300 uniform draws reach within 0.02 of both ends (a miss has chance below 1e-7).
  CHECK(c_min < 0.72);
  CHECK(c_max > 1.28);
  CHECK(b_min < -0.28);
  CHECK(b_max > 0.28);
}

TEST_CASE("data augment: the flip fraction is about p, and draws are reproducible") {
  const Tensor x = coded(10000, 1, 1, 2);
  for (double p : {0.5, 0.2}) {
    tg::Generator gen(6);
    const std::vector<float> out = data::random_horizontal_flip(x, p, gen).to_vector<float>();
    std::int64_t flipped = 0;
    for (std::size_t i = 0; i < 10000; ++i) flipped += out[2 * i] > out[2 * i + 1];
    // Binomial(10000, p): sd at most 50; allow 4 sd.
    CHECK(std::abs(static_cast<double>(flipped) / 10000.0 - p) < 0.02);
    tg::Generator replay(6);
    CHECK(data::random_horizontal_flip(x, p, replay).to_vector<float>() == out);
  }
  tg::Generator gen(6);
  CHECK(data::random_horizontal_flip(x, 0.0, gen).to_vector<float>() == x.to_vector<float>());
}

TEST_CASE("data augment: Augmentation composes flip, crop and jitter, and a disabled one returns its input") {
  const Tensor x = coded(4, 1, 6, 6);
  tg::Generator gen(7);
  CHECK(data::Augmentation{}.apply(x, gen).same(x));
  const data::Augmentation all{0.5, 2, 0.1};
  tg::Generator a(8), b(8);
  const Tensor once = all.apply(x, a);
  CHECK(once.shape() == x.shape());
  CHECK(all.apply(x, b).to_vector<float>() == once.to_vector<float>());
  CHECK(once.to_vector<float>() != x.to_vector<float>());
}

TEST_CASE("data augment: bad inputs are errors") {
  tg::Generator gen(0);
  const std::vector<std::uint8_t> one_flag{1};
  const std::vector<std::int64_t> one{1}, nine{9};
  CHECK_ERROR(data::flip_horizontal(tg::zeros({2, 3}), one_flag), "flip_horizontal: images are f32 [2, 3], expected an f32 tensor [N, C, H, W]");
  CHECK_ERROR(data::flip_horizontal(tg::zeros({2, 1, 2, 2}, tg::f64), one_flag), "flip_horizontal: images are f64 [2, 1, 2, 2]");
  CHECK_ERROR(data::flip_horizontal(tg::zeros({2, 1, 2, 2}), one_flag), "flip_horizontal: 1 flags given for 2 images");
  CHECK_ERROR(data::crop_padded(tg::zeros({1, 1, 2, 2}), 4, one, nine),
              "crop_padded: offset (top 1, left 9) of image 0 is outside [0, 8] for padding 4");
  CHECK_ERROR(data::random_crop(tg::zeros({1, 1, 2, 2}), -1, gen), "random_crop: padding -1, expected >= 0");
  CHECK_ERROR(data::random_horizontal_flip(tg::zeros({1, 1, 2, 2}), 1.5, gen),
              "random_horizontal_flip: probability 1.5, expected a value in [0, 1]");
  CHECK_ERROR(data::random_brightness_contrast(tg::zeros({1, 1, 2, 2}), -0.1, gen),
              "random_brightness_contrast: strength -0.1, expected a value in [0, 1]");
  CHECK_ERROR((data::Augmentation{0.5, 0, 2.0}.apply(tg::zeros({1, 1, 2, 2}), gen)), "Augmentation: jitter 2, expected a value in [0, 1]");
}
