// var, std_dev and logsumexp, composed from sum, mean, exp and log (so f32 runs on
// those ops' oneDNN paths and the gradients are differentiable for free).
#include <cmath>
#include <limits>

#include "op_util.hpp"
#include "reduced_axes.hpp"
#include "reduction_entry.hpp"
#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/reduce.hpp"
#include "tapegrad/ops/views.hpp"

namespace tg {

namespace {

Tensor variance(const char* op, const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim,
                double correction) {
  ops::check_floating(op, x);
  const std::vector<bool> reduced = reduced_axes(op, axes, x.dim());
  const std::int64_t count = reduced_count(x.shape(), reduced);
  TG_CHECK(correction >= 0, "{}: correction must be >= 0, got {}", op, correction);
  TG_CHECK(static_cast<double>(count) > correction,
           "{}: correction {} needs more than {} elements per reduction, got {} (shape {})", op, correction,
           correction, count, x.shape().str());
  const std::vector<std::int64_t> all = axis_list(reduced);
  const Tensor centered = x - mean(x, all, /*keepdim=*/true);
  return sum(centered * centered, all, keepdim) * (1.0 / (static_cast<double>(count) - correction));
}

Tensor logsumexp_op(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim) {
  ops::check_floating("logsumexp", x);
  const std::vector<bool> reduced = reduced_axes("logsumexp", axes, x.dim());
  const std::vector<std::int64_t> all = axis_list(reduced);
  // The log of an empty sum is -inf (as in NumPy and PyTorch); adding it to the sum
  // keeps the result connected to x.
  if (reduced_count(x.shape(), reduced) == 0) return sum(x, all, keepdim) + -std::numeric_limits<double>::infinity();
  // The shift m is a constant (the result does not depend on it), so the gradient
  // through the composition is exactly softmax. An infinite max shifts by 0 instead
  // (x - inf would be NaN): all -inf gives -inf, any +inf gives +inf.
  Tensor shift;
  {
    NoGradGuard no_grad;
    shift = max(x, all, /*keepdim=*/true);
    dispatch_floating(x.dtype(), [&](auto t) {
      using T = decltype(t);
      T* m = shift.data<T>();
      for (std::int64_t i = 0; i < shift.numel(); ++i)
        if (!std::isfinite(m[i])) m[i] = 0;
    });
  }
  Tensor out = log(sum(exp(x - shift), all, /*keepdim=*/true)) + shift;
  return keepdim ? out : reshape(out, dropped_shape(x.shape(), reduced).to_vector());
}

}  // namespace

Tensor var(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim, double correction) {
  return variance("var", x, axes, keepdim, correction);
}
Tensor std_dev(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim, double correction) {
  return sqrt(variance("std_dev", x, axes, keepdim, correction));
}

Tensor logsumexp(const Tensor& x) { return logsumexp_op(x, {}, false); }
Tensor logsumexp(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim) {
  TG_CHECK(!axes.empty() || x.dim() == 0, "logsumexp: empty axis list (call logsumexp(x) to reduce over all axes)");
  return logsumexp_op(x, axes, keepdim);
}

// --- op table entries
namespace {

using ops::reduction_entry;

Tensor normal(Generator& g, const Shape& s) { return sample_normal(g, s); }
// The variance of nothing is undefined: it refuses; logsumexp gives -inf.
const std::string kTooFew = "elements per reduction, got 0";

Tensor lse_all(const Tensor& x) { return logsumexp(x); }
Tensor var_all(const Tensor& x) { return var(x); }
Tensor std_all(const Tensor& x) { return std_dev(x); }

const OpRegistration reg_var(reduction_entry("var", var_all, normal, true, false,
                                             {{{0, 3, 4}, kTooFew}, {{2, 3, 0}, kTooFew}}));
const OpRegistration reg_var_axes(reduction_entry(
    "var_axes", [](const Tensor& x) { return var(x, {0, -1}, true); }, normal, false, false,
    {{{0, 3, 4}, kTooFew}, {{2, 0, 4}, ""}}));
const OpRegistration reg_var_population(reduction_entry(
    "var_population", [](const Tensor& x) { return var(x, {-1}, false, 0); }, normal, false, false,
    {{{0, 3, 4}, ""}, {{2, 3, 0}, kTooFew}}));
const OpRegistration reg_std_dev(reduction_entry("std_dev", std_all, normal, true, false,
                                                 {{{0, 3, 4}, kTooFew}, {{2, 3, 0}, kTooFew}}));
const OpRegistration reg_std_dev_axes(reduction_entry(
    "std_dev_axes", [](const Tensor& x) { return std_dev(x, {-1}, false, 0); }, normal, false, false,
    {{{0, 3, 4}, ""}, {{2, 3, 0}, kTooFew}}));
const OpRegistration reg_logsumexp(reduction_entry("logsumexp", lse_all, normal, true, false));
const OpRegistration reg_logsumexp_axes(reduction_entry(
    "logsumexp_axes", [](const Tensor& x) { return logsumexp(x, {-1}, true); }, normal, false, false));

}  // namespace

}  // namespace tg
