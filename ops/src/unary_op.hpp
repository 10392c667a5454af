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
// unary_op<Op>(x, params) checks, dispatches, records and checks for anomalies.
#include <utility>

#include "kernels/unary.hpp"
#include "op_util.hpp"

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

template <class Op>
bool nan_gives_nan(Params p) {
  if constexpr (requires { Op::nan_gives_nan(p); }) {
    return Op::nan_gives_nan(p);
  } else {
    return true;
  }
}

template <class Op>
class UnaryNode final : public Node {
 public:
  UnaryNode(Params p, const char* name) : params_(p), name_(name) {}
  const char* name() const override { return name_; }
  TensorList apply(TensorList&& grads) override {
    TensorList out;
    out.push_back(Op::backward(grads[0], input_.defined() ? input_.unpack(*this) : Tensor{},
                               output_.defined() ? output_.unpack(*this) : Tensor{}, params_));
    return out;
  }
  void release_saved() override {
    input_.release();
    output_.release();
  }
  SavedTensor input_, output_;

 private:
  Params params_;
  const char* name_;
};

template <class Op>
Tensor unary_forward(const Tensor& x, Params p) {
  Tensor out = empty(x.shape(), x.dtype());
  const auto [alpha, beta] = dnnl_params<Op>(p);
  kernels::unary(x, out, {Op::alg, alpha, beta, Op::dnnl_min_elements, nan_gives_nan<Op>(p)},
                 [p](auto v) { return Op::f(v, p); });
  return out;
}

template <class Op>
Tensor unary_op(const Tensor& x, Params p = {}, const char* name = Op::name) {
  check_floating(name, x);
  Tensor out = unary_forward<Op>(x, p);
  if (auto node = record<UnaryNode<Op>>(out, {&x}, p, name)) {
    if constexpr (Op::saves_input) node->input_ = SavedTensor(x, false);
    if constexpr (Op::saves_output) node->output_ = SavedTensor(out, true);
  }
  check_forward(name, out);
  return out;
}

}  // namespace tg::ops
