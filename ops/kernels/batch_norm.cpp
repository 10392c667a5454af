// Batch normalization kernels: the choice between oneDNN and the reference loops.
#include "kernels/batch_norm.hpp"
#include "kernels/batch_norm_reference.hpp"
#include "kernels/dense.hpp"

namespace tg::kernels {

namespace {

NormLayout layout_of(const Tensor& x) { return {x.size(0), x.size(1), x.dim() == 4 ? x.size(2) * x.size(3) : 1}; }

// oneDNN for [N, C] (its JIT kernels); [N, C, H, W] runs on the loops, which beat
// oneDNN 2.6's only plain-NCHW kernel (see batch_norm_reference.hpp).
bool on_dnnl(const Tensor& x) { return x.dtype() == f32 && x.dim() == 2 && x.numel() >= kBatchNormMinElements; }

template <class T>
T* data_or_null(const Tensor& t) {
  return t.defined() ? t.data<T>() : nullptr;
}

template <class T>
void update_running(const Tensor& running_mean, const Tensor& running_var, const Tensor& mean, const Tensor& var,
                    double momentum, std::int64_t m) {
  const double unbias = static_cast<double>(m) / static_cast<double>(m - 1);
  T* rm = running_mean.data<T>();
  T* rv = running_var.data<T>();
  const std::int64_t sm = running_mean.strides()[0], sv = running_var.strides()[0];
  const T* bm = mean.data<T>();
  const T* bv = var.data<T>();
  for (std::int64_t c = 0; c < mean.numel(); ++c) {
    rm[c * sm] = static_cast<T>((1 - momentum) * rm[c * sm] + momentum * bm[c]);
    rv[c * sv] = static_cast<T>((1 - momentum) * rv[c * sv] + momentum * bv[c] * unbias);
  }
}

}  // namespace

void batch_norm_forward(const Tensor& x_in, const Tensor& weight, const Tensor& bias, const Tensor& mean,
                        const Tensor& var, bool global_stats, double eps, const Tensor& y) {
  const Tensor x = dense(x_in), w = dense(weight), b = dense(bias);
  if (on_dnnl(x)) {
    batch_norm_forward_f32(x, w, b, mean, var, global_stats, static_cast<float>(eps), y);
    return;
  }
  dispatch_floating(x.dtype(), [&](auto t) {
    using T = decltype(t);
    batch_norm_forward_reference<T>(layout_of(x), x.data<T>(), data_or_null<T>(w), data_or_null<T>(b), eps,
                                    global_stats, mean.data<T>(), var.data<T>(), y.data<T>());
  });
}

BatchNormGradients batch_norm_backward(const Tensor& x_in, const Tensor& dy, const Tensor& weight, bool has_bias,
                                       const Tensor& mean, const Tensor& var, bool global_stats, double eps,
                                       bool want_input, bool want_weight, bool want_bias) {
  const Tensor x = dense(x_in), w = dense(weight), g = dense(dy);
  const std::int64_t C = x.size(1);
  BatchNormGradients out;
  if (on_dnnl(x)) {
    // oneDNN computes every gradient its flags imply.
    out.input = empty(x.shape(), f32);
    if (w.defined()) out.weight = empty({C}, f32);
    if (has_bias) out.bias = empty({C}, f32);
    batch_norm_backward_f32(x, g, w, has_bias, mean, var, global_stats, static_cast<float>(eps), out.input,
                            out.weight, out.bias);
    return out;
  }
  if (want_input) out.input = empty(x.shape(), x.dtype());
  if (want_weight) out.weight = empty({C}, x.dtype());
  if (want_bias) out.bias = empty({C}, x.dtype());
  dispatch_floating(x.dtype(), [&](auto t) {
    using T = decltype(t);
    batch_norm_backward_reference<T>(layout_of(x), x.data<T>(), g.data<T>(), mean.data<T>(), var.data<T>(),
                                     data_or_null<T>(w), eps, global_stats, data_or_null<T>(out.input),
                                     data_or_null<T>(out.weight), data_or_null<T>(out.bias));
  });
  return out;
}

void batch_norm_update_running(const Tensor& running_mean, const Tensor& running_var, const Tensor& mean,
                               const Tensor& var, double momentum, std::int64_t m) {
  dispatch_floating(mean.dtype(),
                    [&](auto t) { update_running<decltype(t)>(running_mean, running_var, mean, var, momentum, m); });
}

}  // namespace tg::kernels
