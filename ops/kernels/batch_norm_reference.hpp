#pragma once
// Plain kernels of batch normalization over contiguous x viewed as [N, C, S] (S = H * W,
// or 1 for [N, C]): f64 always, and f32 for [N, C, H, W] (oneDNN 2.6 has no JIT kernel
// for plain NCHW: its ncsp_bnorm ran fwd+bwd of [64, 32, 28, 28] in 8.1 ms of CPU
// time where these loops take about 2; see bench_pool_norm.cpp). Channels run in
// parallel; every sum keeps kLanes independent partial sums (so the compiler
// vectorizes it without reassociating) that are combined in double.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "tapegrad/parallel_for.hpp"

namespace tg::kernels {

struct NormLayout {
  std::int64_t n = 0, c = 0, s = 1;
  std::int64_t per_channel() const { return n * s; }  // values per channel
};

inline constexpr int kLanes = 16;

// sum over i in [0, n) of f(i), f returning T.
template <class T, class F>
double lane_sum(std::int64_t n, F&& f) {
  T acc[kLanes] = {};
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) acc[j] += f(i + j);
  double total = 0;
  for (; i < n; ++i) total += static_cast<double>(f(i));
  for (int j = 0; j < kLanes; ++j) total += static_cast<double>(acc[j]);
  return total;
}

// Calls fn(channel) for every channel, in parallel when the work is large.
template <class Fn>
void for_each_channel(const NormLayout& l, Fn&& fn) {
  const std::int64_t grain = std::max<std::int64_t>(1, kGrainElements / std::max<std::int64_t>(1, l.per_channel()));
  parallel_for(l.c, grain, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t c = begin; c < end; ++c) fn(c);
  });
}

// Sum over the runs of channel c (each run: the S values of one sample) of
// run_sum(offset of the run).
template <class RunSum>
double channel_sum(const NormLayout& l, std::int64_t c, RunSum&& run_sum) {
  double total = 0;
  for (std::int64_t n = 0; n < l.n; ++n) total += run_sum((n * l.c + c) * l.s);
  return total;
}

// Mean and biased variance of channel c (two passes: the centered squares keep their
// precision when the mean is large; the second pass finds the channel in cache).
template <class T>
void channel_stats(const NormLayout& l, std::int64_t c, const T* x, T& mean, T& var) {
  const double m = static_cast<double>(l.per_channel());
  const double mu =
      channel_sum(l, c, [&](std::int64_t o) { return lane_sum<T>(l.s, [&](std::int64_t i) { return x[o + i]; }); }) / m;
  const T mu_t = static_cast<T>(mu);
  const double sq = channel_sum(l, c, [&](std::int64_t o) {
    return lane_sum<T>(l.s, [&](std::int64_t i) { return (x[o + i] - mu_t) * (x[o + i] - mu_t); });
  });
  mean = mu_t;
  var = static_cast<T>(sq / m);
}

// y = (x - mean) / sqrt(var + eps) * weight + bias; weight, bias may be null. Without
// global_stats, mean and var are outputs: the batch statistics, computed channel by
// channel just before that channel is normalized (while it is in cache).
template <class T>
void batch_norm_forward_reference(const NormLayout& l, const T* x, const T* weight, const T* bias, double eps,
                                  bool global_stats, T* mean, T* var, T* y) {
  for_each_channel(l, [&](std::int64_t c) {
    if (!global_stats) channel_stats(l, c, x, mean[c], var[c]);
    const double inv = 1 / std::sqrt(static_cast<double>(var[c]) + eps);
    const double w = weight ? static_cast<double>(weight[c]) : 1.0;
    const T scale = static_cast<T>(w * inv);
    const T shift = static_cast<T>((bias ? static_cast<double>(bias[c]) : 0.0) - mean[c] * w * inv);
    for (std::int64_t n = 0; n < l.n; ++n) {
      const std::int64_t o = (n * l.c + c) * l.s;
      for (std::int64_t i = 0; i < l.s; ++i) y[o + i] = x[o + i] * scale + shift;
    }
  });
}

// Gradients for g (outputs may be null when not wanted). With batch statistics the
// gradient flows through them (M values per channel, xhat the normalized input):
//   dx = w / sqrt(var + eps) * (g - sum(g) / M - xhat * sum(g xhat) / M)
// with fixed (global) statistics dx = w / sqrt(var + eps) * g. dw = sum(g xhat), db = sum(g).
template <class T>
void batch_norm_backward_reference(const NormLayout& l, const T* x, const T* g, const T* mean, const T* var,
                                   const T* weight, double eps, bool global_stats, T* dx, T* dweight, T* dbias) {
  const double m = static_cast<double>(l.per_channel());
  for_each_channel(l, [&](std::int64_t c) {
    const double inv = 1 / std::sqrt(static_cast<double>(var[c]) + eps);
    const T mu = mean[c];
    const double sum_g =
        channel_sum(l, c, [&](std::int64_t o) { return lane_sum<T>(l.s, [&](std::int64_t i) { return g[o + i]; }); });
    const double sum_gx =
        channel_sum(l, c,
                    [&](std::int64_t o) {
                      return lane_sum<T>(l.s, [&](std::int64_t i) { return g[o + i] * (x[o + i] - mu); });
                    }) *
        inv;
    if (dweight) dweight[c] = static_cast<T>(sum_gx);
    if (dbias) dbias[c] = static_cast<T>(sum_g);
    if (!dx) return;
    const double scale = (weight ? weight[c] : 1.0) * inv;
    // dx = a g + b (x - mu) + d, per channel.
    const T a = static_cast<T>(scale);
    const T b = global_stats ? T(0) : static_cast<T>(-scale * inv * sum_gx / m);
    const T d = global_stats ? T(0) : static_cast<T>(-scale * sum_g / m);
    for (std::int64_t n = 0; n < l.n; ++n) {
      const std::int64_t o = (n * l.c + c) * l.s;
      for (std::int64_t i = 0; i < l.s; ++i) dx[o + i] = a * g[o + i] + b * (x[o + i] - mu) + d;
    }
  });
}

}  // namespace tg::kernels
