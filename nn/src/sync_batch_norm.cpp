// Synchronized batch normalization (docs/distributed.md, "Synchronized BatchNorm").
// x is viewed as [N, C, S] (S = H * W, or 1 for [N, C]); statistics per channel c over
// the N * S values of every process.
#include "tapegrad/nn/sync_batch_norm.hpp"

#include <cmath>
#include <vector>

#include "tapegrad/autograd.hpp"
#include "tapegrad/error.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/operators.hpp"
#include "tapegrad/ops/reduce.hpp"
#include "tapegrad/ops/shape_ops.hpp"
#include "tapegrad/ops/views.hpp"
#include "tapegrad/parallel_for.hpp"
#include "tapegrad/record_node.hpp"

namespace tg::nn {

namespace {

constexpr const char* kName = "synchronized_batch_norm";

struct Layout {
  std::int64_t n, c, s;
  std::int64_t per_channel() const { return n * s; }
};
Layout layout_of(const Tensor& x) { return {x.size(0), x.size(1), x.dim() == 4 ? x.size(2) * x.size(3) : 1}; }

// Calls fn(c, row) for every row (n, c) of S values of channel c in [begin, end), with
// row the offset of its first value: rows of one channel in order of n.
template <class Fn>
void for_channel_rows(Layout l, std::int64_t begin, std::int64_t end, Fn&& fn) {
  for (std::int64_t n = 0; n < l.n; ++n)
    for (std::int64_t c = begin; c < end; ++c) fn(c, (n * l.c + c) * l.s);
}

// out[c] = sum of a(c, i, v) and out[C + c] = sum of b(c, i, v) over the values v of channel c, in
// f64. Channels are split between threads; each channel's sum runs in one fixed order.
template <class T, class A, class B>
void channel_sums(Layout l, const T* data, double* out, A&& a, B&& b) {
  for (std::int64_t c = 0; c < 2 * l.c; ++c) out[c] = 0;
  parallel_for(l.c, grain_for_work(l.per_channel()), [&](std::int64_t begin, std::int64_t end) {
    for_channel_rows(l, begin, end, [&](std::int64_t c, std::int64_t row) {
      double sa = 0, sb = 0;
      for (std::int64_t i = row; i < row + l.s; ++i) {
        sa += a(c, i, data[i]);
        sb += b(c, i, data[i]);
      }
      out[c] += sa;
      out[l.c + c] += sb;
    });
  });
}

// out[i] = fn(c, i) for every value i of every channel c.
template <class T, class Fn>
void channel_map(Layout l, T* out, Fn&& fn) {
  parallel_for(l.n * l.c, grain_for_work(l.s), [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t r = begin; r < end; ++r) {
      const std::int64_t c = r % l.c;
      for (std::int64_t i = r * l.s; i < (r + 1) * l.s; ++i) out[i] = fn(c, i);
    }
  });
}

template <class T>
std::vector<T> as(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

std::vector<double> values_or(const Tensor& t, std::int64_t n, double fallback) {
  return t.defined() ? t.to_vector<double>() : std::vector<double>(static_cast<std::size_t>(n), fallback);
}

Tensor vector_tensor(const std::vector<double>& v, DType dtype) {
  return from_vector(v, Shape{static_cast<std::int64_t>(v.size())}).to(dtype);
}

// The sum across processes of local (unrecorded; sum_across_processes checks what the
// reducer gives back).
Tensor reduced(const Tensor& local, const std::shared_ptr<SumAcrossProcesses>& reducer) {
  NoGradGuard no_grad;
  return sum_across_processes(local, reducer);
}

class SyncBatchNormNode final : public Node {
 public:
  SyncBatchNormNode(std::shared_ptr<SumAcrossProcesses> reducer, std::vector<double> mean,
                    std::vector<double> invstd, double count, double eps)
      : reducer_(std::move(reducer)), mean_(std::move(mean)), invstd_(std::move(invstd)), count_(count), eps_(eps) {}
  const char* name() const override { return kName; }
  void save(const Tensor& x, const Tensor& weight) {
    x_ = SavedTensor(x, false);
    if (weight.defined()) weight_ = SavedTensor(weight, false);
  }
  void release_saved() override {
    x_.release();
    weight_.release();
  }
  TensorList apply(TensorList&& grads) override {
    const Tensor x = x_.unpack(*this);
    const Tensor w = weight_.defined() ? weight_.unpack(*this) : Tensor{};
    const Tensor& g = grads[0];
    TensorList out;
    out.resize(3);
    const bool need_x = edges()[0].valid(), need_w = edges()[1].valid(), need_b = edges()[2].valid();
    if (any_requires_grad({&g, &x, &w})) {
      differentiable_backward(g, x, w, need_x, need_w, need_b, out);
    } else if (x.dtype() == f32) {
      fused_backward<float>(g, x, w, need_x, need_w, need_b, out);
    } else {
      fused_backward<double>(g, x, w, need_x, need_w, need_b, out);
    }
    return out;
  }

 private:
  // With the global S1 = sum dy and S2 = sum dy * xhat (docs/distributed.md):
  //   dx = w invstd (dy - S1 / M - xhat S2 / M); dw = sum dy * xhat, db = sum dy (local).
  template <class T>
  void fused_backward(const Tensor& g, const Tensor& x, const Tensor& w, bool need_x, bool need_w, bool need_b,
                      TensorList& out) const {
    const Layout l = layout_of(x);
    const Tensor xc = x.contiguous(), gc = g.contiguous();
    const T* xd = xc.data<T>();
    const T* gd = gc.data<T>();
    // sums[c] = sum dy, sums[C + c] = sum dy * (x - mean) (times invstd below: sum dy * xhat).
    Tensor sums = empty({2 * l.c}, f64);
    double* s = sums.data<double>();
    channel_sums(
        l, gd, s, [](std::int64_t, std::int64_t, T dy) { return static_cast<double>(dy); },
        [&](std::int64_t c, std::int64_t i, T dy) { return static_cast<double>(dy) * (xd[i] - mean_[c]); });
    for (std::int64_t c = 0; c < l.c; ++c) s[l.c + c] *= invstd_[c];
    if (need_w) out[1] = vector_tensor(std::vector<double>(s + l.c, s + 2 * l.c), x.dtype());
    if (need_b) out[2] = vector_tensor(std::vector<double>(s, s + l.c), x.dtype());
    if (!need_x) return;
    const Tensor global = reduced(sums, reducer_);
    s = global.data<double>();
    const std::vector<double> weight = values_or(w, l.c, 1.0);
    // dx = k dy + k2 (x - mean) + shift with k = w invstd, k2 = -k invstd S2 / M,
    // shift = -k S1 / M.
    std::vector<double> k(static_cast<std::size_t>(l.c)), k2(k.size()), shift(k.size());
    for (std::int64_t c = 0; c < l.c; ++c) {
      k[c] = weight[c] * invstd_[c];
      k2[c] = -k[c] * invstd_[c] * s[l.c + c] / count_;
      shift[c] = -k[c] * s[c] / count_;
    }
    const std::vector<T> kt = as<T>(k), k2t = as<T>(k2), shiftt = as<T>(shift), meant = as<T>(mean_);
    Tensor dx = empty(x.shape(), x.dtype());
    channel_map(l, dx.data<T>(), [&](std::int64_t c, std::int64_t i) {
      return gd[i] * kt[c] + (xd[i] - meant[c]) * k2t[c] + shiftt[c];
    });
    out[0] = std::move(dx);
  }

  // The same formulas with tapegrad ops and sum_across_processes, recorded under
  // create_graph: the statistics are recomputed from x so that second derivatives flow
  // through them.
  void differentiable_backward(const Tensor& g, const Tensor& x, const Tensor& w, bool need_x, bool need_w,
                               bool need_b, TensorList& out) const {
    const std::int64_t C = x.size(1);
    const std::vector<std::int64_t> axes = x.dim() == 4 ? std::vector<std::int64_t>{0, 2, 3}
                                                        : std::vector<std::int64_t>{0};
    const std::vector<std::int64_t> cshape =
        x.dim() == 4 ? std::vector<std::int64_t>{1, C, 1, 1} : std::vector<std::int64_t>{1, C};
    const Tensor moments = sum_across_processes(concat({sum(x, axes), sum(x * x, axes)}), reducer_);
    const Tensor mean = reshape(slice(moments, 0, 0, C), cshape) / count_;
    const Tensor var = reshape(slice(moments, 0, C, 2 * C), cshape) / count_ - mean * mean;
    const Tensor invstd = pow(var + eps_, -0.5);
    const Tensor xhat = (x - mean) * invstd;
    if (need_w) out[1] = sum(g * xhat, axes);
    if (need_b) out[2] = sum(g, axes);
    if (!need_x) return;
    const Tensor gw = w.defined() ? g * reshape(w, cshape) : g;
    const Tensor global = sum_across_processes(concat({sum(gw, axes), sum(gw * xhat, axes)}), reducer_);
    const Tensor s1 = reshape(slice(global, 0, 0, C), cshape), s2 = reshape(slice(global, 0, C, 2 * C), cshape);
    out[0] = invstd * (gw - s1 / count_ - xhat * (s2 / count_));
  }

  std::shared_ptr<SumAcrossProcesses> reducer_;
  std::vector<double> mean_, invstd_;
  double count_, eps_;
  SavedTensor x_, weight_;
};

void check_arguments(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                     const Tensor& running_var, double momentum, double eps,
                     const std::shared_ptr<SumAcrossProcesses>& reducer) {
  TG_CHECK(reducer != nullptr, "{}: the reducer is null (use batch_norm for per-process statistics)", kName);
  TG_CHECK(x.defined(), "{}: the input is undefined", kName);
  TG_CHECK(x.dtype() == f32 || x.dtype() == f64, "{}: expected an f32 or f64 input, got {} of shape {}", kName,
           dtype_name(x.dtype()), x.shape().str());
  TG_CHECK(x.dim() == 2 || x.dim() == 4, "{}: input has {} dims {}, expected 2 (N, C) or 4 (N, C, H, W)", kName,
           x.dim(), x.shape().str());
  const auto check_channel_tensor = [&](const Tensor& t, const char* what) {
    if (!t.defined()) return;
    TG_CHECK(t.dtype() == x.dtype(), "{}: {} is {} {}, the input is {} {} (convert one with .to(dtype))", kName, what,
             dtype_name(t.dtype()), t.shape().str(), dtype_name(x.dtype()), x.shape().str());
    TG_CHECK(t.dim() == 1 && t.size(0) == x.size(1),
             "{}: {} has shape {}, expected [{}] (one per channel of input {})", kName, what, t.shape().str(),
             x.size(1), x.shape().str());
  };
  check_channel_tensor(weight, "weight");
  check_channel_tensor(bias, "bias");
  check_channel_tensor(running_mean, "running_mean");
  check_channel_tensor(running_var, "running_var");
  TG_CHECK(running_mean.defined() == running_var.defined(),
           "{}: running_mean and running_var must be given together (one is undefined)", kName);
  TG_CHECK(eps > 0, "{}: eps must be positive, got {}", kName, eps);
  TG_CHECK(momentum >= 0 && momentum <= 1, "{}: momentum must be in [0, 1], got {}", kName, momentum);
}

// running = (1 - momentum) running + momentum batch, with the unbiased variance.
void update_running(const Tensor& running_mean, const Tensor& running_var, const std::vector<double>& mean,
                    const std::vector<double>& var, double count, double momentum) {
  std::vector<double> rm = running_mean.to_vector<double>(), rv = running_var.to_vector<double>();
  for (std::size_t c = 0; c < rm.size(); ++c) {
    rm[c] += momentum * (mean[c] - rm[c]);
    rv[c] += momentum * (var[c] * count / (count - 1) - rv[c]);
  }
  NoGradGuard no_grad;
  Tensor(running_mean).copy_(from_vector(rm, running_mean.shape()));
  Tensor(running_var).copy_(from_vector(rv, running_var.shape()));
}

template <class T>
Tensor forward(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
               const Tensor& running_var, double momentum, double eps,
               const std::shared_ptr<SumAcrossProcesses>& reducer) {
  const Layout l = layout_of(x);
  const Tensor xc = x.detach().contiguous();
  const T* xd = xc.data<T>();
  // [count, sum_0 .. sum_{C-1}, sumsq_0 .. sumsq_{C-1}]
  Tensor moments = empty({1 + 2 * l.c}, f64);
  double* m = moments.data<double>();
  m[0] = static_cast<double>(l.per_channel());
  channel_sums(
      l, xd, m + 1, [](std::int64_t, std::int64_t, T v) { return static_cast<double>(v); },
      [](std::int64_t, std::int64_t, T v) { return static_cast<double>(v) * v; });
  const Tensor global = reduced(moments, reducer);
  m = global.data<double>();
  const double count = m[0];
  TG_CHECK(count > 1,
           "{}: expected more than 1 value per channel across processes when training, got {} (input of shape {} "
           "on this process)",
           kName, count, x.shape().str());
  // var = E[x^2] - mean^2 in f64: it loses digits only when |mean| >> std (see the doc).
  std::vector<double> mean(static_cast<std::size_t>(l.c)), var(mean.size()), invstd(mean.size());
  for (std::int64_t c = 0; c < l.c; ++c) {
    mean[c] = m[1 + c] / count;
    var[c] = std::max(0.0, m[1 + l.c + c] / count - mean[c] * mean[c]);
    invstd[c] = 1.0 / std::sqrt(var[c] + eps);
  }
  if (running_mean.defined()) update_running(running_mean, running_var, mean, var, count, momentum);

  // y = (x - mean) * scale + b, scale = w invstd.
  const std::vector<double> w = values_or(weight, l.c, 1.0);
  std::vector<double> scale(mean.size());
  for (std::int64_t c = 0; c < l.c; ++c) scale[c] = w[c] * invstd[c];
  const std::vector<T> meant = as<T>(mean), scalet = as<T>(scale), bt = as<T>(values_or(bias, l.c, 0.0));
  Tensor y = empty(x.shape(), x.dtype());
  channel_map(l, y.data<T>(), [&](std::int64_t c, std::int64_t i) { return (xd[i] - meant[c]) * scalet[c] + bt[c]; });
  if (is_anomaly_enabled()) check_finite(y, kName, "forward");
  if (auto node = record_node<SyncBatchNormNode>(y, {&x, &weight, &bias}, reducer, std::move(mean),
                                                 std::move(invstd), count, eps))
    node->save(x, weight);
  return y;
}

}  // namespace

Tensor synchronized_batch_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, const Tensor& running_mean,
                               const Tensor& running_var, double momentum, double eps,
                               const std::shared_ptr<SumAcrossProcesses>& reducer) {
  check_arguments(x, weight, bias, running_mean, running_var, momentum, eps, reducer);
  return x.dtype() == f32 ? forward<float>(x, weight, bias, running_mean, running_var, momentum, eps, reducer)
                          : forward<double>(x, weight, bias, running_mean, running_var, momentum, eps, reducer);
}

}  // namespace tg::nn
