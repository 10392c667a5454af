#pragma once
// What every first-order update does to the raw gradient before its own arithmetic, in
// the same pass over memory (the gradient tensor itself is never modified):
//   g = clamp(scale * dx, -clip_value, clip_value) + weight_decay * x
// scale is -1 with `maximize` (ascend instead of descend), times the clip-by-global-norm
// factor min(1, clip_norm / ||dx||) computed over all parameters before the step.
#include <algorithm>
#include <limits>

namespace tg::optim {

struct GradientTransform {
  double scale = 1;
  double clip_value = std::numeric_limits<double>::infinity();
  double weight_decay = 0;  // L2 penalty (weight_decay/2)*||x||^2 added to the loss
};

// The transform with its constants in the parameters' precision, for the inner loops.
template <class T>
struct GradientTransformT {
  T scale, clip, weight_decay;
  explicit GradientTransformT(const GradientTransform& t)
      : scale(static_cast<T>(t.scale)),
        clip(static_cast<T>(t.clip_value)),
        weight_decay(static_cast<T>(t.weight_decay)) {}
  T operator()(T x, T dx) const { return std::min(std::max(scale * dx, -clip), clip) + weight_decay * x; }
};

}  // namespace tg::optim
