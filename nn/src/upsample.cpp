#include "tapegrad/nn/upsample.hpp"

#include "repr_util.hpp"

namespace tg::nn {

Upsample::Upsample(const InterpolateOptions& options) : options_(options) {
  const bool by_size = !(options.size == Size2d(0)), by_scale = options.scale.h != 0 || options.scale.w != 0;
  TG_CHECK(by_size != by_scale, "Upsample: give exactly one of size and scale, got size ({}, {}) and scale ({}, {})",
           options.size.h, options.size.w, options.scale.h, options.scale.w);
}

Tensor Upsample::forward(const Tensor& x) { return interpolate(x, options_); }

std::string Upsample::extra_repr() const {
  std::string out = options_.size == Size2d(0)
                        ? (options_.scale.h == options_.scale.w
                               ? fmt::format("scale={}", options_.scale.h)
                               : fmt::format("scale=({}, {})", options_.scale.h, options_.scale.w))
                        : "size=" + size_text(options_.size);
  out += options_.mode == InterpolateMode::nearest ? ", mode=nearest" : ", mode=bilinear";
  if (options_.align_corners) out += ", align_corners=true";
  return out;
}

}  // namespace tg::nn
