#include "kernels/losses.hpp"

#include "tapegrad/parallel_for.hpp"
#include "tapegrad/tensor_iteration.hpp"

namespace tg::kernels {

namespace {

std::int64_t label_at(const Tensor& labels, std::int64_t i) {
  return labels.data<std::int64_t>()[i * labels.strides()[0]];
}

// Loss of one row; writes the row of W scaled by `scale` when w is not null.
template <class T>
double hinge_row(const T* s, std::int64_t step, std::int64_t c, std::int64_t y, double margin, T* w, double scale) {
  const double sy = s[y * step];
  double loss = 0;
  std::int64_t active = 0;
  for (std::int64_t j = 0; j < c; ++j) {
    if (j == y) continue;
    const double m = s[j * step] - sy + margin;
    const bool on = m > 0;
    if (on) {
      loss += m;
      ++active;
    }
    if (w) w[j] = on ? static_cast<T>(scale) : T(0);
  }
  if (w) w[y] = static_cast<T>(-static_cast<double>(active) * scale);
  return loss;
}

}  // namespace

namespace {

bool ignored(const NllSpec& spec, std::int64_t y) { return spec.ignore_index && y == *spec.ignore_index; }
double class_weight(const NllSpec& spec, std::int64_t j) {
  return spec.class_weights.empty() ? 1.0 : spec.class_weights[static_cast<std::size_t>(j)];
}

}  // namespace

std::vector<double> nll_rows(const Tensor& log_probs, const Tensor& labels, const NllSpec& spec) {
  const std::int64_t n = log_probs.size(0), c = log_probs.size(1);
  const std::int64_t s0 = log_probs.strides()[0], s1 = log_probs.strides()[1];
  const double spread = spec.smoothing / static_cast<double>(c), hit = 1 - spec.smoothing;
  std::vector<double> rows(static_cast<std::size_t>(n));
  dispatch_floating(log_probs.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* lp = log_probs.data<T>();
    for (std::int64_t i = 0; i < n; ++i) {
      const std::int64_t y = label_at(labels, i);
      if (ignored(spec, y)) continue;  // rows starts at 0
      const T* row = lp + i * s0;
      double all = 0;
      if (spec.smoothing != 0)
        for (std::int64_t j = 0; j < c; ++j) all += class_weight(spec, j) * row[j * s1];
      rows[static_cast<std::size_t>(i)] = -(hit * class_weight(spec, y) * row[y * s1] + spread * all);
    }
  });
  return rows;
}

double nll_total_weight(const Tensor& labels, const NllSpec& spec) {
  double total = 0;
  for (std::int64_t i = 0; i < labels.size(0); ++i) {
    const std::int64_t y = label_at(labels, i);
    if (!ignored(spec, y)) total += class_weight(spec, y);
  }
  return total;
}

void nll_weights(const Tensor& labels, const NllSpec& spec, const std::vector<double>& scale, const Tensor& w) {
  const std::int64_t n = w.size(0), c = w.size(1);
  const double spread = spec.smoothing / static_cast<double>(c), hit = 1 - spec.smoothing;
  dispatch_floating(w.dtype(), [&](auto t) {
    using T = decltype(t);
    T* out = w.data<T>();
    for (std::int64_t i = 0; i < n; ++i) {
      const std::int64_t y = label_at(labels, i);
      T* row = out + i * c;
      if (ignored(spec, y)) {  // y may lie outside [0, C)
        for (std::int64_t j = 0; j < c; ++j) row[j] = T(0);
        continue;
      }
      const double si = scale[static_cast<std::size_t>(i)];
      if (spec.class_weights.empty()) {
        const T v = static_cast<T>(-spread * si);
        for (std::int64_t j = 0; j < c; ++j) row[j] = v;
      } else {
        for (std::int64_t j = 0; j < c; ++j) row[j] = static_cast<T>(-spread * class_weight(spec, j) * si);
      }
      row[y] = static_cast<T>(-(spread + hit) * class_weight(spec, y) * si);
    }
  });
}

std::vector<double> hinge_rows(const Tensor& scores, const Tensor& labels, double margin) {
  const std::int64_t n = scores.size(0), c = scores.size(1);
  std::vector<double> rows(static_cast<std::size_t>(n));
  dispatch_floating(scores.dtype(), [&](auto t) {
    using T = decltype(t);
    for (std::int64_t i = 0; i < n; ++i)
      rows[static_cast<std::size_t>(i)] = hinge_row<T>(scores.data<T>() + i * scores.strides()[0], scores.strides()[1],
                                                       c, label_at(labels, i), margin, nullptr, 0);
  });
  return rows;
}

void hinge_weights(const Tensor& scores, const Tensor& labels, double margin, const std::vector<double>& scale,
                   const Tensor& w) {
  const std::int64_t n = scores.size(0), c = scores.size(1);
  dispatch_floating(scores.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* s = scores.data<T>();
    T* out = w.data<T>();
    for (std::int64_t i = 0; i < n; ++i)
      hinge_row<T>(s + i * scores.strides()[0], scores.strides()[1], c, label_at(labels, i), margin, out + i * c,
                   scale[static_cast<std::size_t>(i)]);
  });
}


}  // namespace tg::kernels
