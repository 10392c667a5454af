// Losses: cross-entropy (log_softmax + nll_loss; probability targets composed of ops),
// multiclass SVM hinge, MSE, L2 penalty.
//
// nll_loss and svm_hinge_loss are piecewise linear in their input, so their gradient
// is a constant weight matrix W [N, C] times the gradient of each row's loss:
//   nll (smoothing s, class weights w):  W_ij = -((1 - s) w_j [j == y_i] + s w_j / C),
//                                        0 on a row whose label is ignore_index
//   hinge:              W_ij = [margin_ij > 0] for j != y_i,  W_{i y_i} = -#{j : margin_ij > 0}
// A plain backward writes W * g_i in one loop; with create_graph it is the tapegrad op
// W * g_i, differentiable in g.
#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <span>
#include <utility>

#include <fmt/format.h>

#include "kernels/losses.hpp"
#include "op_pattern.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/losses.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/reduce.hpp"
#include "tapegrad/ops/softmax.hpp"
#include "tapegrad/ops/views.hpp"
#include "tapegrad/sum_of_squares.hpp"
#include "tapegrad/tensor_iteration.hpp"

namespace tg {

namespace {

// Checks scores [N, C] and labels i64 [N] with every label in [0, C).
// Rows labelled ignore_index (when given) are exempt from the range check.
void check_classification(const char* op, const char* scores_name, const Tensor& scores, const Tensor& labels,
                          Reduction reduction, std::optional<std::int64_t> ignore_index = std::nullopt) {
  ops::check_floating(op, scores);
  TG_CHECK(scores.dim() == 2, "{}: {} have {} dims {}, expected 2 (N, C)", op, scores_name, scores.dim(),
           scores.shape().str());
  const std::int64_t n = scores.size(0), c = scores.size(1);
  TG_CHECK(labels.dtype() == i64, "{}: labels must be i64 class indices, got {} of shape {}", op,
           dtype_name(labels.dtype()), labels.shape().str());
  TG_CHECK(labels.dim() == 1 && labels.size(0) == n,
           "{}: labels have shape {}, expected [{}] (one per row of {} {})", op, labels.shape().str(), n,
           scores_name, scores.shape().str());
  TG_CHECK(n > 0 || reduction != Reduction::mean, "{}: the mean over an empty batch ({} {}) is undefined", op,
           scores_name, scores.shape().str());
  const std::int64_t* y = labels.data<std::int64_t>();
  const std::int64_t step = labels.strides()[0];
  for (std::int64_t i = 0; i < n; ++i)
    TG_CHECK((y[i * step] >= 0 && y[i * step] < c) || (ignore_index && y[i * step] == *ignore_index),
             "{}: label {} at index {} is out of range for {} classes", op, y[i * step], i, c);
}

std::int64_t label_at(const Tensor& labels, std::int64_t i) {
  return labels.data<std::int64_t>()[i * labels.strides()[0]];
}

// The per-example losses [N] combined by the reduction; mean divides by divisor (N, or
// the total weight of the rows counted: 0 gives 0 / 0 = NaN, as PyTorch).
template <class T>
Tensor reduce_rows(const std::vector<double>& rows, Reduction reduction, DType dtype, double divisor) {
  const auto n = static_cast<std::int64_t>(rows.size());
  if (reduction == Reduction::none) {
    Tensor out = empty(Shape{n}, dtype);
    T* o = out.data<T>();
    for (std::int64_t i = 0; i < n; ++i) o[i] = static_cast<T>(rows[static_cast<std::size_t>(i)]);
    return out;
  }
  double total = 0;
  for (double r : rows) total += r;
  if (reduction == Reduction::mean) total /= divisor;
  return full(Shape{}, total, dtype);
}

// d(mean)/d(loss_i) = 1 / divisor; 0 when nothing was counted (every row ignored: the
// loss is NaN, and no row receives a gradient, as in PyTorch).
double mean_factor(double divisor) { return divisor != 0 ? 1.0 / divisor : 0.0; }

// d(reduced loss)/d(loss_i) times the incoming gradient g, per row.
std::vector<double> row_scales(const Tensor& g, Reduction reduction, std::int64_t n, double divisor) {
  if (reduction == Reduction::none) return g.to_vector<double>();
  const double v = g.item() * (reduction == Reduction::mean ? mean_factor(divisor) : 1.0);
  return std::vector<double>(static_cast<std::size_t>(n), v);
}

// The same as a tapegrad op (differentiable in g), broadcasting against [N, C].
Tensor row_scales_op(const Tensor& g, Reduction reduction, std::int64_t n, double divisor) {
  switch (reduction) {
    case Reduction::none: return reshape(g, {n, 1});
    case Reduction::mean: return g * mean_factor(divisor);
    case Reduction::sum: return g;
  }
  return g;
}

// Backward of the two piecewise-linear losses (see the top): W * g_i, where
// weights(scale) makes W with row i scaled by scale[i], as a fresh [N, C] tensor.
// Fused: one loop writes W * g_i. Composed: W (not recorded) times the op g_i.
template <class Weights>
Tensor row_weighted_backward(const Tensor& g, Reduction reduction, std::int64_t n, double divisor,
                             const Weights& weights) {
  return ops::fused_or_composed(
      {&g}, [&] { return weights(row_scales(g, reduction, n, divisor)); },
      [&] {
        Tensor w;
        {
          NoGradGuard no_grad;
          w = weights(std::vector<double>(static_cast<std::size_t>(n), 1.0));
        }
        return w * row_scales_op(g, reduction, n, divisor);
      });
}

// --- nll_loss

// Input: log_probs [N, C] (checked by the caller); labels, smoothing, class weights
// (empty: none) and the ignored label are parameters.
struct NllLoss {
  static constexpr std::size_t num_saved = 1;  // the labels
  const char* name;                            // nll_loss, or cross_entropy that calls it
  Tensor labels;                               // moved into slot 0 by save
  Reduction reduction;
  double smoothing;
  std::vector<double> class_weights = {};
  std::optional<std::int64_t> ignore_index = std::nullopt;
  Shape shape{};  // of log_probs, set by forward
  DType dtype = f32;
  double divisor = 1;  // of the mean, set by forward

  kernels::NllSpec spec() const { return {smoothing, class_weights, ignore_index}; }
  Tensor forward(const Tensor& log_probs) {
    shape = log_probs.shape();
    dtype = log_probs.dtype();
    const std::vector<double> rows = kernels::nll_rows(log_probs, labels, spec());
    if (reduction == Reduction::mean) divisor = kernels::nll_total_weight(labels, spec());
    return dispatch_floating(dtype, [&](auto t) { return reduce_rows<decltype(t)>(rows, reduction, dtype, divisor); });
  }
  void save(ops::OpContext& ctx, const Tensor&, const Tensor&) { ctx.save(0, std::exchange(labels, {})); }
  TensorList backward(const ops::OpContext& ctx, const Tensor& g) const {
    const Tensor saved_labels = ctx.saved(0);
    return ops::grads(row_weighted_backward(g, reduction, shape[0], divisor, [&](const std::vector<double>& scale) {
      Tensor w = empty(shape, dtype);
      kernels::nll_weights(saved_labels, spec(), scale, w);
      return w;
    }));
  }
};

// --- svm_hinge_loss

// Input: scores [N, C] (checked by the caller).
struct HingeLoss {
  static constexpr const char* name = "svm_hinge_loss";
  static constexpr std::size_t num_saved = 2;  // scores, labels
  Tensor labels;                               // moved into slot 1 by save
  double margin;
  Reduction reduction;

  Tensor forward(const Tensor& scores) const {
    const std::vector<double> rows = kernels::hinge_rows(scores, labels, margin);
    const auto n = static_cast<double>(scores.size(0));
    return dispatch_floating(scores.dtype(),
                             [&](auto t) { return reduce_rows<decltype(t)>(rows, reduction, scores.dtype(), n); });
  }
  void save(ops::OpContext& ctx, const Tensor& scores, const Tensor&) {
    ctx.save(0, scores);
    ctx.save(1, std::exchange(labels, {}));
  }
  TensorList backward(const ops::OpContext& ctx, const Tensor& g) const {
    const Tensor scores = ctx.saved(0), saved_labels = ctx.saved(1);
    const std::int64_t n = scores.size(0);
    return ops::grads(row_weighted_backward(g, reduction, n, static_cast<double>(n), [&](const std::vector<double>& scale) {
      Tensor w = empty(scores.shape(), scores.dtype());
      kernels::hinge_weights(scores, saved_labels, margin, scale, w);
      return w;
    }));
  }
};

// --- l2_penalty

// sum of p^2 over a list of parameters (checked by the caller); d/dp = 2 p. Saves one
// tensor per parameter, so they live in a vector rather than fixed slots.
struct L2Penalty {
  static constexpr const char* name = "l2_penalty";
  static constexpr std::size_t num_saved = 0;
  std::vector<SavedTensor> params;

  Tensor forward(std::span<const Tensor> ps) const {
    const DType dtype = ps[0].dtype();
    double total = 0;
    for (const Tensor& p : ps) total += sum_of_squares(p);
    return full(Shape{}, total, dtype);
  }
  void save(ops::OpContext&, std::span<const Tensor> ps, const Tensor&) {
    params.reserve(ps.size());
    for (const Tensor& p : ps) params.emplace_back(p, false);
  }
  TensorList backward(const ops::OpContext& ctx, const Tensor& g) const {
    const Tensor twice = g * 2.0;
    TensorList out;
    out.resize(params.size());
    for (std::size_t i = 0; i < params.size(); ++i)
      if (ctx.needs_input_grad(i)) out[i] = ctx.unpack(params[i]) * twice;
    return out;
  }
  void release() {
    for (auto& p : params) p.release();
  }
};

}  // namespace

Tensor nll_loss(const Tensor& log_probs, const Tensor& labels, Reduction reduction) {
  check_classification("nll_loss", "log_probs", log_probs, labels, reduction);
  return ops::apply(NllLoss{"nll_loss", labels, reduction, 0}, log_probs);
}

Tensor cross_entropy(const Tensor& logits, const Tensor& labels, Reduction reduction, double label_smoothing) {
  return cross_entropy(logits, labels, CrossEntropyOptions{.reduction = reduction, .label_smoothing = label_smoothing});
}

namespace {

// Checks the class weights (when given): the logits' dtype, one per class.
void check_class_weights(const Tensor& logits, const Tensor& weight) {
  if (!weight.defined()) return;
  TG_CHECK(weight.dtype() == logits.dtype(),
           "cross_entropy: weight is {} {}, the logits are {} {} (convert one with .to(dtype))",
           dtype_name(weight.dtype()), weight.shape().str(), dtype_name(logits.dtype()), logits.shape().str());
  TG_CHECK(weight.dim() == 1 && weight.size(0) == logits.size(1),
           "cross_entropy: weight has shape {}, expected [{}] (one per class of the logits {})", weight.shape().str(),
           logits.size(1), logits.shape().str());
}

// Probability targets [N, C]: loss_i = -sum_j w_j t_ij log_softmax(logits)_ij, with
// t smoothed to (1 - s) t + s / C; the mean divides by N (as PyTorch). Composed of
// tapegrad ops: differentiable in the logits and in the targets, to any order.
Tensor soft_cross_entropy(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& o) {
  ops::check_same_dtype("cross_entropy", logits, target);
  TG_CHECK(target.shape() == logits.shape(),
           "cross_entropy: probability targets have shape {}, expected the logits' shape {}", target.shape().str(),
           logits.shape().str());
  TG_CHECK(!o.ignore_index, "cross_entropy: ignore_index = {} applies to class-index targets (i64 [N]), not to "
           "probability targets {}", o.ignore_index.value_or(0), target.shape().str());
  Tensor t = target;
  if (o.label_smoothing != 0)
    t = t * (1 - o.label_smoothing) + o.label_smoothing / static_cast<double>(logits.size(1));
  if (o.weight.defined()) t = t * o.weight.detach();
  const Tensor rows = -sum(log_softmax(logits, 1) * t, {1});
  switch (o.reduction) {
    case Reduction::none: return rows;
    case Reduction::sum: return sum(rows);
    case Reduction::mean: return mean(rows);
  }
  fail("cross_entropy: unknown reduction {}", static_cast<int>(o.reduction));
}

}  // namespace

Tensor cross_entropy(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& options) {
  const double s = options.label_smoothing;
  TG_CHECK(s >= 0 && s <= 1, "cross_entropy: label_smoothing must be in [0, 1], got {}", s);
  if (is_floating(target.dtype())) {
    ops::check_floating("cross_entropy", logits);
    TG_CHECK(logits.dim() == 2, "cross_entropy: logits have {} dims {}, expected 2 (N, C)", logits.dim(),
             logits.shape().str());
    TG_CHECK(target.dim() != 1, "cross_entropy: labels must be i64 class indices, got {} of shape {} (a floating "
             "target holds probabilities, with the logits' shape {})", dtype_name(target.dtype()), target.shape().str(),
             logits.shape().str());
    TG_CHECK(logits.size(0) > 0 || options.reduction != Reduction::mean,
             "cross_entropy: the mean over an empty batch (logits {}) is undefined", logits.shape().str());
    check_class_weights(logits, options.weight);
    return soft_cross_entropy(logits, target, options);
  }
  check_classification("cross_entropy", "logits", logits, target, options.reduction, options.ignore_index);
  check_class_weights(logits, options.weight);
  std::vector<double> class_weights;
  if (options.weight.defined()) class_weights = options.weight.to_vector<double>();
  return ops::apply(NllLoss{"cross_entropy", target, options.reduction, s, std::move(class_weights),
                            options.ignore_index},
                    log_softmax(logits, 1));
}

Tensor svm_hinge_loss(const Tensor& scores, const Tensor& labels, double margin, Reduction reduction) {
  check_classification("svm_hinge_loss", "scores", scores, labels, reduction);
  return ops::apply(HingeLoss{labels, margin, reduction}, scores);
}

Tensor mse_loss(const Tensor& pred, const Tensor& target, Reduction reduction) {
  ops::check_floating("mse_loss", pred);
  ops::check_same_dtype("mse_loss", pred, target);
  TG_CHECK(pred.shape() == target.shape(), "mse_loss: pred has shape {} and target {}; they must be equal",
           pred.shape().str(), target.shape().str());
  TG_CHECK(pred.numel() > 0 || reduction != Reduction::mean, "mse_loss: the mean over an empty input (pred {}) is undefined",
           pred.shape().str());
  const Tensor diff = pred - target;
  const Tensor squares = diff * diff;
  switch (reduction) {
    case Reduction::none: return squares;
    case Reduction::sum: return sum(squares);
    case Reduction::mean: return mean(squares);
  }
  fail("mse_loss: unknown reduction {}", static_cast<int>(reduction));
}

Tensor l2_penalty(const std::vector<Tensor>& params) {
  if (params.empty()) return zeros(Shape{});
  const DType dtype = params[0].dtype();
  for (std::size_t i = 0; i < params.size(); ++i) {
    ops::check_floating("l2_penalty", params[i]);
    TG_CHECK(params[i].dtype() == dtype, "l2_penalty: parameter {} is {} {} but parameter 0 is {} {}: all must share one dtype",
             i, dtype_name(params[i].dtype()), params[i].shape().str(), dtype_name(dtype), params[0].shape().str());
  }
  return ops::apply(L2Penalty{}, std::span<const Tensor>(params));
}

// --- op table entries
namespace {

Tensor sample_labels(Generator& g, std::int64_t n, std::int64_t c) {
  std::vector<std::int64_t> labels;
  for (double u : uniform(Shape{n}, 0, static_cast<double>(c), f64, &g).to_vector<double>())
    labels.push_back(std::min(static_cast<std::int64_t>(u), c - 1));
  return from_vector(labels, Shape{n});
}

// Scores [n, c] whose hinge margins s_j - s_y + margin all stay 0.05 or more away from
// 0 (a finite-difference step must not cross a kink); stored transposed when asked.
Tensor sample_hinge_scores(Generator& g, const Tensor& labels, std::int64_t c, double margin, bool transposed) {
  const std::int64_t n = labels.size(0);
  std::vector<double> s = sample_normal(g, {n, c}).to_vector<double>();
  for (std::int64_t i = 0; i < n; ++i) {
    const double sy = s[static_cast<std::size_t>(i * c + label_at(labels, i))];
    for (std::int64_t j = 0; j < c; ++j) {
      double& v = s[static_cast<std::size_t>(i * c + j)];
      const double m = v - sy + margin;
      if (j != label_at(labels, i) && std::abs(m) < 0.05) v += m < 0 ? -0.1 : 0.1;
    }
  }
  const Tensor scores = from_vector(s, Shape{n, c});
  return transposed ? transpose(scores, 0, 1).contiguous() : scores;
}

using ClassLoss = std::function<Tensor(const Tensor&, const Tensor&)>;

// Samples of (scores, labels): small, one row, one class, odd sizes, a transposed view,
// an empty batch (refused by a mean).
constexpr const char* kEmptyMean = "the mean over an empty batch";

std::vector<OpSample> classification_samples(Generator& g, bool hinge, bool mean) {
  const std::vector<std::pair<std::int64_t, std::int64_t>> sizes = {{4, 5}, {1, 3}, {3, 7}, {2, 1}};
  std::vector<OpSample> samples;
  for (auto [n, c] : sizes) {
    Tensor labels = sample_labels(g, n, c);
    Tensor scores = hinge ? sample_hinge_scores(g, labels, c, 1, false) : sample_normal(g, {n, c}) * 2.0;
    samples.push_back({fmt::format("[{}, {}]", n, c), {scores, labels}});
  }
  Tensor labels = sample_labels(g, 5, 3);
  Tensor stored = hinge ? sample_hinge_scores(g, labels, 3, 1, true) : sample_normal(g, {3, 5});
  samples.push_back({"transposed view [5, 3]", {stored, labels}, {0}});
  samples.push_back({"empty batch [0, 3]", {sample_normal(g, {0, 3}), sample_labels(g, 0, 3)}, {}, mean ? kEmptyMean : ""});
  return samples;
}

OpTableEntry classification_entry(const char* name, ClassLoss fn, bool hinge, bool mean) {
  OpTableEntry e;
  e.name = name;
  e.fn = [fn](const std::vector<Tensor>& x) { return fn(x[0], x[1]); };
  e.has_kinks = hinge;
  e.f32_tolerance = 1e-4;
  e.samples = [hinge, mean](Generator& g) { return classification_samples(g, hinge, mean); };
  e.large_samples = [hinge, mean](Generator& g) -> std::vector<OpSample> {
    std::vector<OpSample> s;
    for (auto [n, c] : std::vector<std::pair<std::int64_t, std::int64_t>>{{128, 1000}, {64, 10}}) {
      Tensor labels = sample_labels(g, n, c);
      s.push_back({fmt::format("[{}, {}]", n, c), {hinge ? sample_hinge_scores(g, labels, c, 1, false) : sample_normal(g, {n, c}) * 3.0, labels}});
    }
    s.push_back({"empty batch [0, 1000]", {sample_normal(g, {0, 1000}), sample_labels(g, 0, 1000)}, {}, mean ? kEmptyMean : ""});
    return s;
  };
  return e;
}

const OpRegistration reg_cross_entropy(classification_entry(
    "cross_entropy", [](const Tensor& x, const Tensor& y) { return cross_entropy(x, y); }, false, true));
const OpRegistration reg_cross_entropy_sum(classification_entry(
    "cross_entropy_sum", [](const Tensor& x, const Tensor& y) { return cross_entropy(x, y, Reduction::sum); }, false, false));
const OpRegistration reg_cross_entropy_none(classification_entry(
    "cross_entropy_none", [](const Tensor& x, const Tensor& y) { return cross_entropy(x, y, Reduction::none); }, false, false));
const OpRegistration reg_cross_entropy_smoothing(classification_entry(
    "cross_entropy_smoothing",
    [](const Tensor& x, const Tensor& y) { return cross_entropy(x, y, Reduction::mean, 0.1); }, false, true));
const OpRegistration reg_nll_loss(classification_entry(
    "nll_loss", [](const Tensor& x, const Tensor& y) { return nll_loss(x, y); }, false, true));
const OpRegistration reg_svm_hinge_loss(classification_entry(
    "svm_hinge_loss", [](const Tensor& x, const Tensor& y) { return svm_hinge_loss(x, y); }, true, true));
const OpRegistration reg_svm_hinge_loss_none(classification_entry(
    "svm_hinge_loss_none", [](const Tensor& x, const Tensor& y) { return svm_hinge_loss(x, y, 1, Reduction::none); },
    true, false));
const OpRegistration reg_svm_hinge_loss_sum(classification_entry(
    "svm_hinge_loss_sum", [](const Tensor& x, const Tensor& y) { return svm_hinge_loss(x, y, 1, Reduction::sum); },
    true, false));

// Class weights 0.5, 0.75, 1, ... (fixed, made in the logits' dtype).
Tensor sample_class_weights(const Tensor& logits) {
  return arange(0.0, static_cast<double>(logits.size(1)), 1.0, logits.dtype()) * 0.25 + 0.5;
}

constexpr std::int64_t kIgnored = -100;

// Class weights, ignore_index (kIgnored, present in every sample but never in all its rows)
// and label smoothing together, on class-index targets.
OpTableEntry weighted_cross_entropy_entry(const char* name, Reduction reduction) {
  OpTableEntry e;
  e.name = name;
  e.fn = [reduction](const std::vector<Tensor>& x) {
    return cross_entropy(x[0], x[1], {.weight = sample_class_weights(x[0]), .ignore_index = kIgnored,
                                      .reduction = reduction, .label_smoothing = 0.1});
  };
  e.f32_tolerance = 1e-4;
  const bool mean = reduction == Reduction::mean;
  e.samples = [mean](Generator& g) -> std::vector<OpSample> {
    const auto labels = [](std::vector<std::int64_t> v) { return from_vector(v, Shape{static_cast<std::int64_t>(v.size())}); };
    return {{"[4, 5]", {sample_normal(g, {4, 5}) * 2.0, labels({1, kIgnored, 4, 0})}},
            {"[3, 7]", {sample_normal(g, {3, 7}), labels({kIgnored, 6, 2})}},
            {"[2, 1]", {sample_normal(g, {2, 1}), labels({0, kIgnored})}},
            {"transposed view [5, 3]", {sample_normal(g, {3, 5}), labels({0, 2, kIgnored, 1, 1})}, {0}},
            {"empty batch [0, 3]", {sample_normal(g, {0, 3}), labels({})}, {}, mean ? kEmptyMean : ""}};
  };
  e.large_samples = [mean](Generator& g) -> std::vector<OpSample> {
    Tensor labels = sample_labels(g, 128, 1000);
    for (std::int64_t i = 0; i < 128; i += 7) labels.data<std::int64_t>()[i] = kIgnored;
    return {{"[128, 1000]", {sample_normal(g, {128, 1000}) * 3.0, labels}},
            {"empty batch [0, 1000]", {sample_normal(g, {0, 1000}), sample_labels(g, 0, 1000)}, {}, mean ? kEmptyMean : ""}};
  };
  return e;
}
const OpRegistration reg_cross_entropy_weighted(weighted_cross_entropy_entry("cross_entropy_weighted_ignore_smoothing", Reduction::mean));
const OpRegistration reg_cross_entropy_weighted_none(weighted_cross_entropy_entry("cross_entropy_weighted_ignore_none", Reduction::none));

// Probability targets (differentiable too), with class weights and label smoothing.
OpTableEntry soft_cross_entropy_entry(const char* name, Reduction reduction) {
  OpTableEntry e;
  e.name = name;
  e.fn = [reduction](const std::vector<Tensor>& x) {
    return cross_entropy(x[0], x[1], {.weight = sample_class_weights(x[0]), .reduction = reduction, .label_smoothing = 0.2});
  };
  e.f32_tolerance = 1e-4;
  const bool mean = reduction == Reduction::mean;
  const auto probs = [](Generator& g, const Shape& s) { return softmax(sample_normal(g, s), 1); };
  e.samples = [mean, probs](Generator& g) -> std::vector<OpSample> {
    return {{"[4, 5]", {sample_normal(g, {4, 5}) * 2.0, probs(g, {4, 5})}},
            {"[1, 3]", {sample_normal(g, {1, 3}), probs(g, {1, 3})}},
            {"transposed views [5, 3]", {sample_normal(g, {3, 5}), softmax(sample_normal(g, {3, 5}), 0)}, {0, 1}},
            {"empty batch [0, 3]", {sample_normal(g, {0, 3}), sample_normal(g, {0, 3})}, {}, mean ? kEmptyMean : ""}};
  };
  e.large_samples = [mean, probs](Generator& g) -> std::vector<OpSample> {
    return {{"[128, 1000]", {sample_normal(g, {128, 1000}) * 3.0, probs(g, {128, 1000})}},
            {"empty batch [0, 1000]", {sample_normal(g, {0, 1000}), sample_normal(g, {0, 1000})}, {}, mean ? kEmptyMean : ""}};
  };
  return e;
}
const OpRegistration reg_cross_entropy_soft(soft_cross_entropy_entry("cross_entropy_soft_targets", Reduction::mean));
const OpRegistration reg_cross_entropy_soft_none(soft_cross_entropy_entry("cross_entropy_soft_targets_none", Reduction::none));

OpTableEntry mse_entry(const char* name, Reduction reduction) {
  OpTableEntry e;
  e.name = name;
  e.fn = [reduction](const std::vector<Tensor>& x) { return mse_loss(x[0], x[1], reduction); };
  e.f32_tolerance = 1e-4;
  const std::string empty_error = reduction == Reduction::mean ? "the mean over an empty input" : "";
  e.samples = [empty_error](Generator& g) -> std::vector<OpSample> {
    return {{"[3, 4]", {sample_normal(g, {3, 4}), sample_normal(g, {3, 4})}},
            {"[5]", {sample_normal(g, {5}), sample_normal(g, {5})}},
            {"transposed view [4, 3]", {sample_normal(g, {3, 4}), sample_normal(g, {4, 3})}, {0}},
            {"empty [0, 4]", {sample_normal(g, {0, 4}), sample_normal(g, {0, 4})}, {}, empty_error}};
  };
  e.large_samples = [empty_error](Generator& g) -> std::vector<OpSample> {
    return {{"[128, 1000]", {sample_normal(g, {128, 1000}), sample_normal(g, {128, 1000})}},
            {"empty [0, 1000]", {sample_normal(g, {0, 1000}), sample_normal(g, {0, 1000})}, {}, empty_error}};
  };
  return e;
}

const OpRegistration reg_mse_loss(mse_entry("mse_loss", Reduction::mean));
const OpRegistration reg_mse_loss_sum(mse_entry("mse_loss_sum", Reduction::sum));
const OpRegistration reg_mse_loss_none(mse_entry("mse_loss_none", Reduction::none));

OpTableEntry l2_penalty_entry() {
  OpTableEntry e;
  e.name = "l2_penalty";
  e.fn = [](const std::vector<Tensor>& x) { return l2_penalty(x); };
  e.f32_tolerance = 1e-4;
  e.samples = [](Generator& g) -> std::vector<OpSample> {
    return {{"[3, 4] and [5]", {sample_normal(g, {3, 4}), sample_normal(g, {5})}},
            {"scalar []", {sample_normal(g, {})}},
            {"transposed view [4, 3] and [2, 2]", {sample_normal(g, {3, 4}), sample_normal(g, {2, 2})}, {0}},
            {"empty [0, 3] and [2]", {sample_normal(g, {0, 3}), sample_normal(g, {2})}}};
  };
  e.large_samples = [](Generator& g) -> std::vector<OpSample> {
    return {{"[784, 256] and [256]", {sample_normal(g, {784, 256}), sample_normal(g, {256})}},
            {"empty [784, 0]", {sample_normal(g, {784, 0})}}};
  };
  return e;
}
const OpRegistration reg_l2_penalty(l2_penalty_entry());

}  // namespace

}  // namespace tg
