// Batch normalization (Ioffe & Szegedy 2015) over [N, C] and [N, C, H, W]. The kernels
// (oneDNN for f32 [N, C], vectorized loops otherwise) are in kernels/batch_norm.hpp.
//
// Backward: the fused kernel (oneDNN or reference) for first-order gradients; when the
// gradient itself is being recorded (create_graph), the same formula written with
// tapegrad ops from x, so second derivatives flow through the batch statistics.
#include "kernels/batch_norm.hpp"
#include "op_pattern.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/normalization.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/reduce.hpp"
#include "tapegrad/ops/views.hpp"

namespace tg {

namespace {

// Values per channel: N, or N * H * W.
std::int64_t per_channel(const Tensor& x) { return x.size(0) * (x.dim() == 4 ? x.size(2) * x.size(3) : 1); }

// The axes statistics are taken over, and the shape a [C] tensor broadcasts with.
std::vector<std::int64_t> stat_axes(const Tensor& x) {
  return x.dim() == 4 ? std::vector<std::int64_t>{0, 2, 3} : std::vector<std::int64_t>{0};
}
std::vector<std::int64_t> channel_shape(const Tensor& x) {
  return x.dim() == 4 ? std::vector<std::int64_t>{1, x.size(1), 1, 1} : std::vector<std::int64_t>{1, x.size(1)};
}

// Inputs x, weight, bias (either may be undefined), checked by batch_norm. mean and var
// are [C] tensors of our own: the running statistics' copies in eval mode, filled with
// the batch statistics by forward when training.
struct BatchNorm {
  static constexpr const char* name = "batch_norm";
  static constexpr std::size_t num_saved = 2;  // x, weight
  Tensor mean, var;
  bool global_stats;
  double eps;
  // Updated by forward when training (then dropped: the node does not keep them).
  Tensor running_mean, running_var;
  double momentum;
  bool has_bias = false;

  Tensor forward(const Tensor& x, const Tensor& weight, const Tensor& bias) {
    has_bias = bias.defined();
    Tensor y = empty(x.shape(), x.dtype());
    kernels::batch_norm_forward(x, weight, bias, mean, var, global_stats, eps, y);
    if (running_mean.defined() && !global_stats) {
      kernels::batch_norm_update_running(running_mean, running_var, mean, var, momentum, per_channel(x));
      running_mean.bump_version();
      running_var.bump_version();
    }
    running_mean = running_var = Tensor{};
    return y;
  }
  void save(ops::OpContext& ctx, const Tensor& x, const Tensor& weight, const Tensor&, const Tensor&) const {
    ctx.save(0, x);
    if (weight.defined()) ctx.save(1, weight);
  }
  TensorList backward(const ops::OpContext& ctx, const Tensor& g) const {
    const Tensor x = ctx.saved(0), w = ctx.saved(1);
    return ops::fused_or_composed({&g, &x, &w}, [&] { return kernel_backward(ctx, g, x, w); },
                                  [&] { return differentiable_backward(ctx, g, x, w); });
  }
  void release() { mean = var = Tensor{}; }

 private:
  TensorList kernel_backward(const ops::OpContext& ctx, const Tensor& g, const Tensor& x, const Tensor& w) const {
    const bool need_x = ctx.needs_input_grad(0), need_w = ctx.needs_input_grad(1), need_b = ctx.needs_input_grad(2);
    kernels::BatchNormGradients grads =
        kernels::batch_norm_backward(x, g, w, has_bias, mean, var, global_stats, eps, need_x, need_w, need_b);
    TensorList out;
    out.resize(3);
    if (need_x) out[0] = std::move(grads.input);
    if (need_w) out[1] = std::move(grads.weight);
    if (need_b) out[2] = std::move(grads.bias);
    return out;
  }

  // The kernel's formula with tapegrad ops (recorded, so differentiable again).
  TensorList differentiable_backward(const ops::OpContext& ctx, const Tensor& g, const Tensor& x,
                                     const Tensor& w) const {
    const auto axes = stat_axes(x);
    const auto cshape = channel_shape(x);
    Tensor invstd, xhat;
    if (global_stats) {
      invstd = reshape(pow(var + eps, -0.5), cshape);
      xhat = (x - reshape(mean, cshape)) * invstd;
    } else {
      const Tensor centered = x - tg::mean(x, axes, true);
      invstd = pow(tg::mean(centered * centered, axes, true) + eps, -0.5);
      xhat = centered * invstd;
    }
    TensorList out;
    out.resize(3);
    if (ctx.needs_input_grad(0)) {
      const Tensor gw = w.defined() ? g * reshape(w, cshape) : g;
      out[0] = global_stats ? gw * invstd
                            : invstd * (gw - tg::mean(gw, axes, true) - xhat * tg::mean(gw * xhat, axes, true));
    }
    if (ctx.needs_input_grad(1)) out[1] = sum(g * xhat, axes);
    if (ctx.needs_input_grad(2)) out[2] = sum(g, axes);
    return out;
  }
};

void check_arguments(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                     const Tensor& running_var, bool batch_stats) {
  ops::check_floating("batch_norm", x);
  TG_CHECK(x.dim() == 2 || x.dim() == 4, "batch_norm: input has {} dims {}, expected 2 (N, C) or 4 (N, C, H, W)",
           x.dim(), x.shape().str());
  const std::int64_t C = x.size(1);
  const auto check_channel_tensor = [&](const Tensor& t, const char* what) {
    if (!t.defined()) return;
    TG_CHECK(t.dtype() == x.dtype(), "batch_norm: {} is {} {}, the input is {} {} (convert one with .to(dtype))", what,
             dtype_name(t.dtype()), t.shape().str(), dtype_name(x.dtype()), x.shape().str());
    TG_CHECK(t.dim() == 1 && t.size(0) == C, "batch_norm: {} has shape {}, expected [{}] (one per channel of input {})",
             what, t.shape().str(), C, x.shape().str());
  };
  check_channel_tensor(weight, "weight");
  check_channel_tensor(bias, "bias");
  check_channel_tensor(running_mean, "running_mean");
  check_channel_tensor(running_var, "running_var");
  TG_CHECK(running_mean.defined() == running_var.defined(),
           "batch_norm: running_mean and running_var must be given together (one is undefined)");
  TG_CHECK(!batch_stats || per_channel(x) > 1,
           "batch_norm: expected more than 1 value per channel when training, got input of shape {}", x.shape().str());
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                  const Tensor& running_var, bool training, double momentum, double eps) {
  const bool global_stats = !training && running_mean.defined();
  check_arguments(x, weight, bias, running_mean, running_var, !global_stats);
  TG_CHECK(eps > 0, "batch_norm: eps must be positive, got {}", eps);
  const std::int64_t C = x.size(1);
  Tensor mean, var;
  if (global_stats) {
    NoGradGuard no_grad;  // copies: the running statistics change in later steps
    mean = running_mean.detach().clone();
    var = running_var.detach().clone();
  } else {
    mean = empty({C}, x.dtype());
    var = empty({C}, x.dtype());
  }
  return ops::apply(BatchNorm{std::move(mean), std::move(var), global_stats, eps,
                              training ? running_mean : Tensor{}, training ? running_var : Tensor{}, momentum},
                    x, weight, bias);
}

// --- op table entry
namespace {

// Inputs: x, then weight and bias when affine, then an i64 mode tensor
// {training, track_running_stats}. Running statistics are made inside (fixed values
// for eval mode; fresh ones for training, whose update is not part of the output).
Tensor batch_norm_fn(const std::vector<Tensor>& xs) {
  const auto mode = xs.back().to_vector<std::int64_t>();
  const Tensor& x = xs[0];
  const bool affine = xs.size() == 4;
  Tensor running_mean, running_var;
  if (mode[1] != 0) {
    const std::int64_t C = x.size(1);
    running_mean = arange(0.0, static_cast<double>(C), 1.0, x.dtype()) * 0.2 - 0.3;
    running_var = arange(0.0, static_cast<double>(C), 1.0, x.dtype()) * 0.3 + 0.5;
  }
  return batch_norm(x, affine ? xs[1] : Tensor{}, affine ? xs[2] : Tensor{}, running_mean, running_var, mode[0] != 0);
}

OpTableEntry batch_norm_entry() {
  OpTableEntry e;
  e.name = "batch_norm";
  e.fn = batch_norm_fn;
  e.samples = [](Generator& g) -> std::vector<OpSample> {
    const auto mode = [](bool training, bool running) {
      return from_vector(std::vector<std::int64_t>{training, running}, Shape{2});
    };
    const auto affine = [&](const Shape& x, bool training, bool running) {
      const Shape c{x[1]};
      return std::vector<Tensor>{sample_normal(g, x), sample_positive(g, c), sample_normal(g, c),
                                 mode(training, running)};
    };
    return {
        {"[4, 3] training, affine", affine({4, 3}, true, true)},
        {"[5, 2] training, no affine", {sample_normal(g, {5, 2}), mode(true, true)}},
        {"[2, 3, 3, 2] training, affine", affine({2, 3, 3, 2}, true, true)},
        {"[3, 2, 2, 3] training, no affine", {sample_normal(g, {3, 2, 2, 3}), mode(true, false)}},
        {"[4, 3] eval, affine", affine({4, 3}, false, true)},
        {"[2, 2, 3, 3] eval, no affine", {sample_normal(g, {2, 2, 3, 3}), mode(false, true)}},
        {"[2, 2, 2, 3] eval without running stats (batch stats), affine", affine({2, 2, 2, 3}, false, false)},
        {"transposed view [5, 3] training, affine",
         {sample_normal(g, {3, 5}), sample_positive(g, {3}), sample_normal(g, {3}), mode(true, true)},
         {0}},
        {"transposed view [1, 2, 4, 3] training", {sample_normal(g, {1, 2, 3, 4}), mode(true, true)}, {0}},
        {"empty batch [0, 3] eval, affine", affine({0, 3}, false, true)},
        {"no channels [4, 0] training, affine", affine({4, 0}, true, true)},
        {"empty batch [0, 3] training", affine({0, 3}, true, true), {}, "expected more than 1 value per channel"},
    };
  };
  e.large_samples = [](Generator& g) -> std::vector<OpSample> {
    const auto mode = [](bool training) { return from_vector(std::vector<std::int64_t>{training, 1}, Shape{2}); };
    return {
        {"[64, 32, 28, 28] training, affine",
         {sample_normal(g, {64, 32, 28, 28}), sample_positive(g, {32}), sample_normal(g, {32}), mode(true)}},
        {"[64, 64, 14, 14] eval, affine",
         {sample_normal(g, {64, 64, 14, 14}), sample_positive(g, {64}), sample_normal(g, {64}), mode(false)}},
        {"[128, 256] training, no affine", {sample_normal(g, {128, 256}), mode(true)}},
        {"empty batch [0, 64, 14, 14] eval, affine",
         {sample_normal(g, {0, 64, 14, 14}), sample_positive(g, {64}), sample_normal(g, {64}), mode(false)}},
    };
  };
  return e;
}
const OpRegistration reg_batch_norm(batch_norm_entry());

}  // namespace

}  // namespace tg
