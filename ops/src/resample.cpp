// The adjoint pair of resampling ops (resample.hpp). Both are linear, so neither saves
// a tensor: each one's backward applies the other to the incoming gradient.
#include "resample.hpp"

#include <utility>

#include "op_pattern.hpp"

namespace tg::ops {

namespace {

Shape out_shape(const Tensor& x, const kernels::Taps2d& t) { return {x.size(0), x.size(1), t.rows.out(), t.cols.out()}; }
Shape in_shape(const Tensor& g, const kernels::Taps2d& t) { return {g.size(0), g.size(1), t.rows.in, t.cols.in}; }

struct Resample {
  const char* name;  // names.forward
  ResampleNames names;
  SharedTaps taps;
  Tensor forward(const Tensor& x) const {
    Tensor y = empty(out_shape(x, *taps), x.dtype());
    kernels::resample_forward(*taps, x, y);
    return y;
  }
  TensorList backward(const OpContext&, const Tensor& g) const { return grads(resample_adjoint(g, taps, names)); }
};

struct ResampleAdjoint {
  const char* name;  // names.adjoint
  ResampleNames names;
  SharedTaps taps;
  Tensor forward(const Tensor& g) const {
    Tensor dx = empty(in_shape(g, *taps), g.dtype());
    kernels::resample_adjoint(*taps, g, dx);
    return dx;
  }
  TensorList backward(const OpContext&, const Tensor& g) const { return grads(resample(g, taps, names)); }
};

}  // namespace

Tensor resample(const Tensor& x, SharedTaps taps, ResampleNames names) {
  return apply(Resample{names.forward, names, std::move(taps)}, x);
}

Tensor resample_adjoint(const Tensor& g, SharedTaps taps, ResampleNames names) {
  return apply(ResampleAdjoint{names.adjoint, names, std::move(taps)}, g);
}

}  // namespace tg::ops
