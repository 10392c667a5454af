#include "tapegrad/nn/data/augment.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "tapegrad/error.hpp"
#include "tapegrad/parallel_for.hpp"

namespace tg::nn::data {

namespace {

// Keyed draws: flip, crop and jitter each own one block per key.
constexpr std::uint64_t kKeyedTransforms = 3;

struct Geometry {
  std::int64_t n, channels, height, width;
  std::int64_t image() const { return channels * height * width; }
};

// The images as a contiguous f32 tensor and their geometry; errors name op.
Geometry check_images(const Tensor& images, const char* op) {
  TG_CHECK(images.defined() && images.dtype() == f32 && images.dim() == 4,
           "{}: images are {} {}, expected an f32 tensor [N, C, H, W]", op,
           images.defined() ? dtype_name(images.dtype()) : "undefined",
           images.defined() ? images.shape().str() : "");
  return {images.size(0), images.size(1), images.size(2), images.size(3)};
}

template <class T> void check_count(std::span<const T> values, std::int64_t n, const char* op, const char* what) {
  TG_CHECK(static_cast<std::int64_t>(values.size()) == n, "{}: {} {} given for {} images", op, values.size(), what, n);
}

// Images per thread: each costs a pass over its values.
std::int64_t image_grain(const Geometry& g) { return grain_for_work(g.image()); }

// The Philox block each image of a call draws from: block first + i of a reservation of
// one block per image, or, keyed, block kTransforms * keys[i] + transform of the stream
// (so an image's draws depend on its key only, not on the other images of the call).
struct ImageDraws {
  const Generator& gen;
  std::uint64_t first = 0;
  std::span<const std::int64_t> keys{};
  std::uint64_t transform = 0;
  ImageDraws(Generator& g, std::int64_t n) : gen(g), first(g.reserve(4 * static_cast<std::uint64_t>(n))) {}
  ImageDraws(const Generator& g, std::span<const std::int64_t> k, std::uint64_t t) : gen(g), keys(k), transform(t) {}
  std::array<std::uint32_t, 4> operator()(std::int64_t i) const {
    if (keys.empty()) return gen.block(first + static_cast<std::uint64_t>(i));
    return gen.block(kKeyedTransforms * static_cast<std::uint64_t>(keys[static_cast<std::size_t>(i)]) + transform);
  }
};

// A 32-bit word mapped to an integer uniform on [0, m) (multiply-shift).
std::int64_t below(std::uint32_t word, std::int64_t m) {
  return static_cast<std::int64_t>((std::uint64_t{word} * static_cast<std::uint64_t>(m)) >> 32);
}

}  // namespace

Tensor flip_horizontal(const Tensor& images, std::span<const std::uint8_t> flip) {
  const Geometry g = check_images(images, "flip_horizontal");
  check_count(flip, g.n, "flip_horizontal", "flags");
  const Tensor in = images.contiguous();
  Tensor out = empty(images.shape(), f32);
  const float* src = in.data<float>();
  float* dst = out.data<float>();
  const std::int64_t rows = g.channels * g.height;
  parallel_for(g.n, image_grain(g), [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const float* s = src + i * g.image();
      float* d = dst + i * g.image();
      if (!flip[i]) {
        std::memcpy(d, s, static_cast<std::size_t>(g.image()) * sizeof(float));
        continue;
      }
      for (std::int64_t r = 0; r < rows; ++r) std::reverse_copy(s + r * g.width, s + (r + 1) * g.width, d + r * g.width);
    }
  });
  return out;
}

Tensor crop_padded(const Tensor& images, std::int64_t padding, std::span<const std::int64_t> tops,
                   std::span<const std::int64_t> lefts) {
  const Geometry g = check_images(images, "crop_padded");
  TG_CHECK(padding >= 0, "crop_padded: padding {}, expected >= 0", padding);
  check_count(tops, g.n, "crop_padded", "top offsets");
  check_count(lefts, g.n, "crop_padded", "left offsets");
  for (std::int64_t i = 0; i < g.n; ++i) {
    TG_CHECK(tops[i] >= 0 && tops[i] <= 2 * padding && lefts[i] >= 0 && lefts[i] <= 2 * padding,
             "crop_padded: offset (top {}, left {}) of image {} is outside [0, {}] for padding {}", tops[i], lefts[i],
             i, 2 * padding, padding);
  }
  const Tensor in = images.contiguous();
  Tensor out = empty(images.shape(), f32);
  const float* src = in.data<float>();
  float* dst = out.data<float>();
  parallel_for(g.n, image_grain(g), [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const std::int64_t dy = tops[i] - padding, dx = lefts[i] - padding;
      // Output columns [w0, w1) read input columns [w0 + dx, w1 + dx); the rest are zero.
      const std::int64_t w0 = std::clamp<std::int64_t>(-dx, 0, g.width), w1 = std::clamp<std::int64_t>(g.width - dx, 0, g.width);
      for (std::int64_t c = 0; c < g.channels; ++c) {
        const float* s = src + (i * g.channels + c) * g.height * g.width;
        float* d = dst + (i * g.channels + c) * g.height * g.width;
        for (std::int64_t h = 0; h < g.height; ++h) {
          float* row = d + h * g.width;
          const std::int64_t sh = h + dy;
          if (sh < 0 || sh >= g.height || w0 >= w1) {
            std::fill(row, row + g.width, 0.0f);
            continue;
          }
          std::fill(row, row + w0, 0.0f);
          std::memcpy(row + w0, s + sh * g.width + w0 + dx, static_cast<std::size_t>(w1 - w0) * sizeof(float));
          std::fill(row + w1, row + g.width, 0.0f);
        }
      }
    }
  });
  return out;
}

Tensor scale_shift(const Tensor& images, std::span<const float> contrast, std::span<const float> brightness) {
  const Geometry g = check_images(images, "scale_shift");
  check_count(contrast, g.n, "scale_shift", "contrast factors");
  check_count(brightness, g.n, "scale_shift", "brightness offsets");
  const Tensor in = images.contiguous();
  Tensor out = empty(images.shape(), f32);
  const float* src = in.data<float>();
  float* dst = out.data<float>();
  parallel_for(g.n, image_grain(g), [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const float c = contrast[i], b = brightness[i];
      const float* s = src + i * g.image();
      float* d = dst + i * g.image();
      for (std::int64_t k = 0; k < g.image(); ++k) d[k] = s[k] * c + b;
    }
  });
  return out;
}

namespace {

Tensor flip_with(const Tensor& images, double p, const ImageDraws& draws) {
  const Geometry g = check_images(images, "random_horizontal_flip");
  std::vector<std::uint8_t> flip(static_cast<std::size_t>(g.n));
  for (std::int64_t i = 0; i < g.n; ++i) flip[i] = uniform_double(draws(i)[0], draws(i)[1]) < p;
  return flip_horizontal(images, flip);
}

Tensor crop_with(const Tensor& images, std::int64_t padding, const ImageDraws& draws) {
  const Geometry g = check_images(images, "random_crop");
  std::vector<std::int64_t> tops(static_cast<std::size_t>(g.n)), lefts(tops.size());
  for (std::int64_t i = 0; i < g.n; ++i) {
    const auto words = draws(i);
    tops[i] = below(words[0], 2 * padding + 1);
    lefts[i] = below(words[1], 2 * padding + 1);
  }
  return crop_padded(images, padding, tops, lefts);
}

Tensor jitter_with(const Tensor& images, double strength, const ImageDraws& draws) {
  const Geometry g = check_images(images, "random_brightness_contrast");
  std::vector<float> contrast(static_cast<std::size_t>(g.n)), brightness(contrast.size());
  for (std::int64_t i = 0; i < g.n; ++i) {
    const auto words = draws(i);
    contrast[i] = static_cast<float>(1.0 - strength + 2.0 * strength * uniform_double(words[0], words[1]));
    brightness[i] = static_cast<float>(-strength + 2.0 * strength * uniform_double(words[2], words[3]));
  }
  return scale_shift(images, contrast, brightness);
}

void check_probability(double p) {
  TG_CHECK(p >= 0.0 && p <= 1.0, "random_horizontal_flip: probability {}, expected a value in [0, 1]", p);
}
void check_padding(std::int64_t padding) { TG_CHECK(padding >= 0, "random_crop: padding {}, expected >= 0", padding); }
void check_strength(double strength) {
  TG_CHECK(strength >= 0.0 && strength <= 1.0, "random_brightness_contrast: strength {}, expected a value in [0, 1]",
           strength);
}

}  // namespace

Tensor random_horizontal_flip(const Tensor& images, double p, Generator& gen) {
  check_probability(p);
  return flip_with(images, p, ImageDraws(gen, check_images(images, "random_horizontal_flip").n));
}

Tensor random_crop(const Tensor& images, std::int64_t padding, Generator& gen) {
  check_padding(padding);
  return crop_with(images, padding, ImageDraws(gen, check_images(images, "random_crop").n));
}

Tensor random_brightness_contrast(const Tensor& images, double strength, Generator& gen) {
  check_strength(strength);
  return jitter_with(images, strength, ImageDraws(gen, check_images(images, "random_brightness_contrast").n));
}

void Augmentation::validate() const {
  TG_CHECK(flip_probability >= 0.0 && flip_probability <= 1.0,
           "Augmentation: flip_probability {}, expected a value in [0, 1]", flip_probability);
  TG_CHECK(crop_padding >= 0, "Augmentation: crop_padding {}, expected >= 0", crop_padding);
  TG_CHECK(jitter >= 0.0 && jitter <= 1.0, "Augmentation: jitter {}, expected a value in [0, 1]", jitter);
}

Tensor Augmentation::apply(const Tensor& images, Generator& gen) const {
  validate();
  Tensor out = images;
  if (flip_probability > 0.0) out = random_horizontal_flip(out, flip_probability, gen);
  if (crop_padding > 0) out = random_crop(out, crop_padding, gen);
  if (jitter > 0.0) out = random_brightness_contrast(out, jitter, gen);
  return out;
}

Tensor Augmentation::apply_keyed(const Tensor& images, const Generator& stream,
                                 std::span<const std::int64_t> keys) const {
  validate();
  if (!enabled()) return images;
  const Geometry g = check_images(images, "Augmentation::apply_keyed");
  check_count(keys, g.n, "Augmentation::apply_keyed", "keys");
  for (const std::int64_t key : keys)
    TG_CHECK(key >= 0, "Augmentation::apply_keyed: key {}, expected >= 0", key);
  Tensor out = images;
  if (flip_probability > 0.0) out = flip_with(out, flip_probability, ImageDraws(stream, keys, 0));
  if (crop_padding > 0) out = crop_with(out, crop_padding, ImageDraws(stream, keys, 1));
  if (jitter > 0.0) out = jitter_with(out, jitter, ImageDraws(stream, keys, 2));
  return out;
}

}  // namespace tg::nn::data
