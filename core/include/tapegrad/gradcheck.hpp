#pragma once
// Numerical gradient checking, as CS231n teaches it (docs/formulas.md):
// centered differences in f64, relative error |a - n| / max(|a|, |n|), per-element
// verdicts by CS231n's thresholds (the table in docs/formulas.md), detection of crossed kinks, a warning for
// values too small to compare, a seeded random subset of coordinates for big inputs,
// replay of random streams (each evaluation of f sees the same dropout mask), and
// optional warm-up steps so the check runs at a characteristic point.
//
// A function with several (or non-scalar) outputs is checked through the scalar
// L(x) = sum_k <r_k, f_k(x)>, with r_k fixed random weights (r = 1 for a scalar
// output): one backward gives the analytic dL/dx, and any error in the Jacobian shows
// up in it with probability one.
//
// f is evaluated with grad mode on and its checked inputs requiring grad, for the finite
// differences too (as PyTorch's gradcheck does), so f may itself call tg::grad with
// create_graph (a gradient penalty, a Hessian-vector product).
//
// An input f does not depend on (tg::grad with allow_unused gives no gradient for it:
// no path from it to any output on the tape) is reported as `unused` and fails the
// check unless options.allow_unused; its finite differences are still taken, so an input
// f reads off the tape (through a detach) also shows as WRONG elements.
#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "tapegrad/tensor.hpp"

namespace tg {

// Ordered by severity; a report's verdict is the worst of its elements.
enum class Verdict {
  good,           // relative error < 1e-7
  too_small,      // both values below 1e-10 (but not both zero): the comparison means nothing
  ok_with_kinks,  // 1e-7..1e-4 in a function declared to have kinks
  kink_crossed,   // x-h and x+h straddle a kink: the numeric value is not a derivative
  suspicious,     // 1e-4..1e-2 (or 1e-7..1e-4 without kinks)
  wrong,          // > 1e-2
  unused,         // an input f does not depend on (no analytic gradient): nothing was checked
  non_finite,     // the analytic or the numeric value is NaN or infinite: nothing to compare
};
inline constexpr int kVerdictCount = static_cast<int>(Verdict::non_finite) + 1;
std::string_view verdict_name(Verdict v);

// Checked when a check starts (tg::Error naming the option): eps finite in (0, 0.1],
// max_coords_per_input > 0, warmup_steps >= 0, warmup_lr and kink_tolerance finite
// and > 0, worst_shown >= 0.
struct GradcheckOptions {
  double eps = 1e-6;                    // step h of the centered difference
  std::int64_t max_coords_per_input = 200;  // check a seeded random subset above this
  std::uint64_t seed = 0;               // subset choice, projection weights, random streams
  bool has_kinks = false;               // allow 1e-7..1e-4 (relu, max, abs, hinge, ...)
  int warmup_steps = 0;                 // gradient steps on the inputs before checking
  double warmup_lr = 1e-2;
  double kink_tolerance = 1e-2;         // one-sided slopes differing more than this: kink?
  int worst_shown = 5;                  // elements listed per input in the table
  // An input f does not depend on is reported `unused` either way; allowed, it does not
  // fail the check (unless its finite differences say f does change with it).
  bool allow_unused = false;
};

struct GradcheckElement {
  std::int64_t flat_index = 0;
  Shape index;
  double value = 0;  // the input element's value at the check point
  double analytic = 0, numeric = 0, rel_error = 0;
  double left_slope = 0, right_slope = 0;  // (f(x)-f(x-h))/h and (f(x+h)-f(x))/h
  bool refined_step = false;  // re-estimated with h/10 (the slopes disagreed at h)
  // |analytic - numeric| is below the roundoff of the finite difference
  // (64 eps |f| / h): judged good whatever the relative error.
  bool within_roundoff = false;
  Verdict verdict = Verdict::good;
};

struct GradcheckInputReport {
  int input = 0;
  std::string name;  // shown instead of the index when set (a parameter's dotted name)
  Shape shape;
  // f does not depend on it (no analytic gradient); its verdict is then `unused`, the
  // elements' verdicts (analytic 0 against the finite differences) are in count / worst.
  bool unused = false;
  std::int64_t checked = 0;
  // Over elements not excused as kink-crossed, too small or roundoff; infinite when
  // an element is non-finite.
  double max_rel_error = 0;
  Verdict verdict = Verdict::good;
  std::int64_t count[kVerdictCount] = {};  // per Verdict
  std::vector<GradcheckElement> worst;  // most severe first
};

struct GradcheckReport {
  std::vector<GradcheckInputReport> inputs;
  std::vector<std::string> notes;  // e.g. "input 0 converted from f32 to f64"
  // What the table advises for an unused input (empty: pass inputs f reads, or check a
  // module's parameters with tg::nn::gradcheck_module).
  std::string unused_advice;
  bool allow_unused = false;  // the option the check ran with
  // The worst input verdict; an allowed unused input counts with its elements' verdicts.
  Verdict verdict = Verdict::good;
  double max_rel_error = 0;
  double eps = 0;
  std::int64_t evaluations = 0;  // calls of f
  bool passed() const { return verdict < Verdict::suspicious; }
  std::string table() const;  // readable report (fmt)
};

using MultiOutputFn = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

GradcheckReport gradcheck_outputs(const MultiOutputFn& fn, const std::vector<Tensor>& inputs,
                                  const GradcheckOptions& options = {});
// Second derivatives: checks the gradient of sum_k <r_k, f_k(x)> (computed with
// create_graph) against finite differences of that gradient. An input is `unused` when
// f itself does not depend on it (a gradient constant in x, f linear in it, is fine).
GradcheckReport gradgradcheck_outputs(const MultiOutputFn& fn, const std::vector<Tensor>& inputs,
                                      const GradcheckOptions& options = {});

// A scalar function given as its value and, separately, its gradient (computed however
// the caller likes, e.g. by a model's own backward): the gradient is compared with
// centered differences of the value. Both take every input (the checked ones as f64
// copies); gradient returns one tensor per input, undefined for an unchecked input or
// one the function does not depend on (reported `unused`). The random stream is
// replayed before every call, as for gradcheck.
struct ScalarObjective {
  std::function<double(const std::vector<Tensor>&)> value;
  std::function<std::vector<Tensor>(const std::vector<Tensor>&)> gradient;
};
GradcheckReport gradcheck_objective(const ScalarObjective& objective, const std::vector<Tensor>& inputs,
                                    const GradcheckOptions& options = {});

// fn takes the inputs and returns a Tensor or a std::vector<Tensor>.
template <class Fn>
MultiOutputFn as_multi_output(Fn&& fn) {
  return [fn = std::forward<Fn>(fn)](const std::vector<Tensor>& xs) -> std::vector<Tensor> {
    if constexpr (std::is_convertible_v<std::invoke_result_t<const Fn&, const std::vector<Tensor>&>, Tensor>) {
      return {fn(xs)};
    } else {
      return fn(xs);
    }
  };
}

// Checks every floating input that requires grad (all floating inputs when none do).
// Inputs are copied to f64; the originals are not modified.
template <class Fn>
GradcheckReport gradcheck(Fn&& fn, const std::vector<Tensor>& inputs, const GradcheckOptions& options = {}) {
  return gradcheck_outputs(as_multi_output(std::forward<Fn>(fn)), inputs, options);
}
template <class Fn>
GradcheckReport gradgradcheck(Fn&& fn, const std::vector<Tensor>& inputs, const GradcheckOptions& options = {}) {
  return gradgradcheck_outputs(as_multi_output(std::forward<Fn>(fn)), inputs, options);
}

// Runs the check once per step size, for choosing h ("offer trying several").
std::vector<GradcheckReport> gradcheck_eps_sweep(const MultiOutputFn& fn, const std::vector<Tensor>& inputs,
                                                 const std::vector<double>& eps_values,
                                                 GradcheckOptions options = {});
std::string eps_sweep_table(const std::vector<GradcheckReport>& reports);

}  // namespace tg
