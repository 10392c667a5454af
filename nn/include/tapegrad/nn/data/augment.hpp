#pragma once
// Data augmentation on f32 image batches [N, C, H, W] (docs/formulas.md, Regularization): horizontal
// flip, random crop with zero padding, brightness/contrast jitter. Each image gets its
// own draw; image i of a call uses Philox block i of the call's reservation, so results
// depend only on the generator's state, not on threads. All return new tensors.
#include <cstdint>
#include <span>

#include "tapegrad/random.hpp"
#include "tapegrad/tensor.hpp"

namespace tg::nn::data {

// The options the loader applies to each batch, in this order: flip, crop, jitter.
struct Augmentation {
  double flip_probability = 0.0;  // each image mirrored left-right with this probability (0.5 is usual)
  std::int64_t crop_padding = 0;  // pad by this many zero pixels, crop back to H x W at a uniform offset
  double jitter = 0.0;            // a: x * c + b with c uniform in [1-a, 1+a], b uniform in [-a, a]

  bool enabled() const { return flip_probability > 0.0 || crop_padding > 0 || jitter > 0.0; }
  // Throws unless flip_probability and jitter are in [0, 1] and crop_padding >= 0.
  void validate() const;
  // images itself when nothing is enabled, else a new tensor.
  Tensor apply(const Tensor& images, Generator& gen) const;
  // The same transforms, each image drawing from blocks of `stream` keyed by keys[i]
  // (one key per image, >= 0; the DataLoader passes each sample's dataset index): an
  // image's draws depend on (stream, key) only, not on which other images share the
  // call, so how a batch is split (across ranks, say) does not change them. stream is
  // read, not advanced.
  Tensor apply_keyed(const Tensor& images, const Generator& stream, std::span<const std::int64_t> keys) const;
};

// Each image mirrored (column w becomes column W-1-w) with probability p in [0, 1].
Tensor random_horizontal_flip(const Tensor& images, double p, Generator& gen);
// Each image zero-padded by `padding` on all sides and cropped back to H x W at an
// offset (top, left) drawn uniformly from [0, 2 * padding]^2.
Tensor random_crop(const Tensor& images, std::int64_t padding, Generator& gen);
// Each image x becomes x * c + b, c uniform in [1-a, 1+a] and b uniform in [-a, a],
// a = strength in [0, 1]; no clamping. strength 0 is the identity.
Tensor random_brightness_contrast(const Tensor& images, double strength, Generator& gen);

// The deterministic transforms the random ones draw parameters for (one entry per image).
Tensor flip_horizontal(const Tensor& images, std::span<const std::uint8_t> flip);
// out[h][w] = in[h + top - padding][w + left - padding], 0 outside the image.
Tensor crop_padded(const Tensor& images, std::int64_t padding, std::span<const std::int64_t> tops,
                   std::span<const std::int64_t> lefts);
Tensor scale_shift(const Tensor& images, std::span<const float> contrast, std::span<const float> brightness);

}  // namespace tg::nn::data
