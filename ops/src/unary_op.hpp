#pragma once
// The generic unary elementwise op. An op is a struct with:
//   name                 const char*, for errors and the node
//   alg                  the kernels::Eltwise function of its f32 path (oneDNN)
//   dnnl_min_elements    f32 sizes from which oneDNN runs instead of the plain loop
//   saves_input/output   what backward needs
//   f<T>(x, Params)      the forward for one element (f64 reference, small f32)
//   backward(g, x, y, Params)  the input gradient, with tapegrad ops
//   dnnl_params(Params)  optional: oneDNN's (alpha, beta)
//   nan_gives_nan(Params)  optional, default true: f(NaN) is NaN, restored after oneDNN
// unary_op<Op>(x, params) runs it as the op Unary<Op> (see op_pattern.hpp): checks,
// dispatch, recording and the anomaly check.
#include <utility>

#include "kernels/unary.hpp"
#include "op_pattern.hpp"

namespace tg::ops {

// Parameters of parameterized ops (affine: alpha*x+beta; pow: exponent in alpha).
struct Params {
  double alpha = 0, beta = 0;
};

// oneDNN's (alpha, beta) for an op: Op::dnnl_params(p) when it has one, else zeros.
template <class Op>
std::pair<float, float> dnnl_params(Params p) {
  if constexpr (requires { Op::dnnl_params(p); }) {
    return Op::dnnl_params(p);
  } else {
    return {0.f, 0.f};
  }
}

// The derivative of a piecewise-linear op with its kink at 0 (relu, leaky_relu): above
// where x > 0, below where x <= 0, and NaN where x is NaN (a NaN input gets a NaN
// gradient, not a silent 0). Not recorded.
Tensor slope_mask(const Tensor& x, double above, double below);
// g * slope_mask(x, above, below): the backward of those ops. In one pass when g is not
// recorded (the usual backward); as that product of ops when it is (create_graph).
Tensor times_slope(const Tensor& g, const Tensor& x, double above, double below);

template <class Op>
bool nan_gives_nan(Params p) {
  if constexpr (requires { Op::nan_gives_nan(p); }) {
    return Op::nan_gives_nan(p);
  } else {
    return true;
  }
}

template <class Op>
Tensor unary_forward(const Tensor& x, Params p) {
  Tensor out = empty(x.shape(), x.dtype());
  const auto [alpha, beta] = dnnl_params<Op>(p);
  kernels::unary(x, out, {Op::alg, alpha, beta, Op::dnnl_min_elements, nan_gives_nan<Op>(p)},
                 [p](auto v) { return Op::f(v, p); });
  return out;
}

// The op (see op_pattern.hpp) that runs a unary struct: slot 0 holds the input, slot 1
// the output, each saved only when Op says backward needs it.
template <class Op>
struct Unary {
  static constexpr std::size_t num_saved = 2;
  const char* name;
  Params params;
  Tensor forward(const Tensor& x) const {
    check_floating(name, x);
    return unary_forward<Op>(x, params);
  }
  void save(OpContext& ctx, const Tensor& x, const Tensor& out) const {
    if constexpr (Op::saves_input) ctx.save(0, x);
    if constexpr (Op::saves_output) ctx.save_output(1, out);
  }
  TensorList backward(const OpContext& ctx, const Tensor& g) const {
    return grads(Op::backward(g, ctx.saved(0), ctx.saved(1), params));
  }
};

template <class Op>
Tensor unary_op(const Tensor& x, Params p = {}, const char* name = Op::name) {
  return apply(Unary<Op>{name, p}, x);
}

}  // namespace tg::ops
