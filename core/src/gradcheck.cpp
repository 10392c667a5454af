#include "tapegrad/gradcheck.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <numeric>

#include "tapegrad/autograd.hpp"
#include "tapegrad/random.hpp"

namespace tg {

namespace {

constexpr double kTooSmall = 1e-10;

double relative_error(double a, double n) {
  if (a == 0 && n == 0) return 0;
  return std::abs(a - n) / std::max(std::abs(a), std::abs(n));
}

Verdict verdict_for(double rel_error, bool has_kinks) {
  if (rel_error > 1e-2) return Verdict::wrong;
  if (rel_error > 1e-4) return Verdict::suspicious;
  if (rel_error > 1e-7) return has_kinks ? Verdict::ok_with_kinks : Verdict::suspicious;
  return Verdict::good;
}

// Restores the caller's random stream when the check ends.
class GeneratorRestore {
 public:
  GeneratorRestore() : saved_(default_generator().state()) {}
  ~GeneratorRestore() { default_generator().set_state(saved_); }

 private:
  Generator::State saved_;
};

// An allowed unused input counts with its elements' verdicts (analytic 0 against the
// finite differences): a function that does change with it still fails.
Verdict counted_verdict(const GradcheckInputReport& in, bool allow_unused) {
  if (!in.unused || !allow_unused) return in.verdict;
  Verdict worst = Verdict::good;
  for (int v = 0; v < kVerdictCount; ++v)
    if (in.count[v]) worst = static_cast<Verdict>(v);
  return worst;
}

// What a check differentiates: the scalar L(x), its roundoff scale, and its gradient.
class Objective {
 public:
  virtual ~Objective() = default;
  // Called once before anything else, with the f64 inputs.
  virtual void prepare(const std::vector<Tensor>& xs) { (void)xs; }
  // L at xs and the sum of the magnitudes of its terms (the scale of its roundoff).
  virtual std::pair<double, double> value(const std::vector<Tensor>& xs) = 0;
  // dL/d xs[i] for each i in checked; undefined: L does not depend on xs[i].
  virtual std::vector<Tensor> gradient(const std::vector<Tensor>& xs, const std::vector<int>& checked) = 0;
};

// L(x) = sum_k <r_k, f_k(x)> of a function with tensor outputs, differentiated on the tape.
class OutputsObjective final : public Objective {
 public:
  OutputsObjective(const MultiOutputFn& fn, std::uint64_t seed) : fn_(fn), seed_(seed) {}

  void prepare(const std::vector<Tensor>& xs) override {
    std::vector<Tensor> outs = evaluate(xs);
    Generator gen(seed_ ^ 0x5EEDF00Dull);
    for (const Tensor& o : outs) {
      TG_CHECK(o.defined() && is_floating(o.dtype()),
               "gradcheck: the function returned an undefined or integer output");
      projection_.push_back(o.numel() == 1 ? ones(o.shape(), f64) : randn(o.shape(), f64, &gen));
    }
  }

  std::pair<double, double> value(const std::vector<Tensor>& xs) override {
    std::vector<Tensor> outs = evaluate(xs);
    double value = 0, magnitude = 0;
    for (std::size_t k = 0; k < outs.size(); ++k) {
      const std::vector<double> f = outs[k].to_vector<double>();
      const std::vector<double> r = projection_[k].to_vector<double>();
      for (std::size_t e = 0; e < f.size(); ++e) {
        value += r[e] * f[e];
        magnitude += std::abs(r[e] * f[e]);
      }
    }
    return {value, magnitude};
  }

  std::vector<Tensor> gradient(const std::vector<Tensor>& xs, const std::vector<int>& checked) override {
    std::vector<Tensor> outs = evaluate(xs);
    std::vector<Tensor> outputs, weights;
    for (std::size_t k = 0; k < outs.size(); ++k) {
      if (!outs[k].requires_grad()) continue;  // constant in x: contributes nothing
      outputs.push_back(outs[k]);
      // An f32 output (f reading f32 tensors of its own) takes its weights in f32.
      weights.push_back(outs[k].dtype() == f64 ? projection_[k] : projection_[k].to(outs[k].dtype()));
    }
    std::vector<Tensor> inputs;
    for (int i : checked) inputs.push_back(xs[i]);
    if (outputs.empty()) return std::vector<Tensor>(inputs.size());
    return grad(outputs, inputs, weights, {}, /*allow_unused=*/true);
  }

 private:
  std::vector<Tensor> evaluate(const std::vector<Tensor>& xs) {
    std::vector<Tensor> outs = fn_(xs);
    TG_CHECK(!outs.empty(), "gradcheck: the function returned no outputs");
    TG_CHECK(projection_.empty() || outs.size() == projection_.size(),
             "gradcheck: the function returned {} outputs, then {}", projection_.size(), outs.size());
    return outs;
  }

  const MultiOutputFn& fn_;
  std::uint64_t seed_;
  std::vector<Tensor> projection_;
};

// A value and a gradient the caller computes (gradcheck_objective).
class GivenObjective final : public Objective {
 public:
  explicit GivenObjective(const ScalarObjective& objective) : objective_(objective) {
    TG_CHECK(objective.value && objective.gradient, "gradcheck_objective: value and gradient must both be set");
  }
  std::pair<double, double> value(const std::vector<Tensor>& xs) override {
    const double v = objective_.value(xs);
    return {v, std::abs(v)};
  }
  std::vector<Tensor> gradient(const std::vector<Tensor>& xs, const std::vector<int>& checked) override {
    std::vector<Tensor> all = objective_.gradient(xs);
    TG_CHECK(all.size() == xs.size(), "gradcheck_objective: gradient returned {} tensors for {} inputs", all.size(),
             xs.size());
    std::vector<Tensor> out;
    for (int i : checked) out.push_back(all[static_cast<std::size_t>(i)]);
    return out;
  }

 private:
  const ScalarObjective& objective_;
};

// One gradcheck run: the f64 copies of the inputs and the objective. f is evaluated with
// grad mode on throughout (run_check), so f may call tg::grad itself.
class Checker {
 public:
  // unused_probe: decides which inputs are unused when the objective's own undefined
  // gradients do not say it (gradgradcheck: a gradient constant in x is not unused).
  Checker(Objective& objective, const std::vector<Tensor>& inputs, const GradcheckOptions& options,
          GradcheckReport& report, Objective* unused_probe = nullptr)
      : objective_(objective), options_(options), report_(report), unused_probe_(unused_probe) {
    bool any_requires = false;
    for (const Tensor& t : inputs) any_requires |= t.defined() && t.requires_grad();
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      const Tensor& t = inputs[i];
      if (!t.defined() || !is_floating(t.dtype())) {
        xs_.push_back(t);
        continue;
      }
      if (t.dtype() == f32)
        report_.notes.push_back(fmt::format(
            "input {} converted from f32 to f64 (float32 differences give ~1e-2 errors even for "
            "correct code)", i));
      Tensor x;
      {
        NoGradGuard no_grad;
        x = t.detach().to(f64).contiguous().clone();
      }
      const bool check = any_requires ? t.requires_grad() : true;
      if (check) {
        x.requires_grad_(true);
        checked_.push_back(static_cast<int>(i));
      }
      xs_.push_back(x);
    }
    TG_CHECK(!checked_.empty(), "gradcheck: no floating-point input to check");
  }

  void warm_up() {
    for (int step = 0; step < options_.warmup_steps; ++step) {
      std::vector<Tensor> grads = analytic();
      NoGradGuard no_grad;
      for (std::size_t j = 0; j < checked_.size(); ++j) {
        if (unused_[j]) continue;
        double* x = xs_[checked_[j]].data<double>();
        const std::vector<double> g = grads[j].to_vector<double>();
        for (std::size_t e = 0; e < g.size(); ++e) x[e] -= options_.warmup_lr * g[e];
      }
    }
  }

  // The analytic gradient for each checked input (zeros for an unused one); sets unused_.
  std::vector<Tensor> analytic() {
    replay();
    std::vector<Tensor> grads = objective_.gradient(xs_, checked_);
    TG_CHECK(grads.size() == checked_.size(), "gradcheck: {} gradients for {} checked inputs", grads.size(),
             checked_.size());
    unused_.assign(checked_.size(), false);
    for (std::size_t j = 0; j < grads.size(); ++j) unused_[j] = !grads[j].defined();
    if (unused_probe_) {
      replay();
      const std::vector<Tensor> first = unused_probe_->gradient(xs_, checked_);
      for (std::size_t j = 0; j < first.size(); ++j) unused_[j] = !first[j].defined();
    }
    for (std::size_t j = 0; j < grads.size(); ++j) {
      const Tensor& x = xs_[checked_[j]];
      if (!grads[j].defined()) grads[j] = zeros_like(x);
      TG_CHECK(grads[j].shape() == x.shape(), "gradcheck: gradient of input {} has shape {}, the input has shape {}",
               checked_[j], grads[j].shape().str(), x.shape().str());
    }
    return grads;
  }

  // L(x) at the current inputs, and the sum of |r_k * f_k| (its roundoff scale).
  std::pair<double, double> loss() {
    replay();
    return objective_.value(xs_);
  }

  void check_input(std::size_t j) {
    const int input = checked_[j];
    Tensor& x = xs_[input];
    GradcheckInputReport in;
    in.input = input;
    in.shape = x.shape();
    in.unused = unused_[j];
    const std::vector<std::int64_t> coords = pick_coordinates(x.numel(), input);
    double* data = x.data<double>();
    const double h = options_.eps;
    const Shape strides = contiguous_strides(x.shape());
    const auto [f0, scale] = loss();
    for (std::int64_t c : coords) {
      GradcheckElement e;
      e.flat_index = c;
      e.index.resize(x.dim());
      for (int d = 0; d < x.dim(); ++d) e.index[d] = (c / strides[d]) % x.shape()[d];
      e.value = data[c];
      e.analytic = analytic_[j][static_cast<std::size_t>(c)];
      const Differences at_h = differences(data[c], f0, h);
      e.left_slope = at_h.left;
      e.right_slope = at_h.right;
      e.numeric = at_h.centered;
      const double disagreement = std::abs(at_h.right - at_h.left);
      // Roundoff in f makes one-sided slopes wobble by about eps |f| / h: a
      // disagreement below that says nothing about kinks.
      const double slope_noise = 64 * DBL_EPSILON * std::max(scale, std::abs(f0)) / h;
      bool kink = false;
      if (disagreement > slope_noise &&
          disagreement > options_.kink_tolerance * std::max(std::abs(at_h.left), std::abs(at_h.right))) {
        // Curvature makes the one-sided slopes differ by about f''h, which shrinks with
        // h; a crossed kink makes them differ by its jump, which does not.
        const Differences finer = differences(data[c], f0, h / 10);
        if (std::abs(finer.right - finer.left) < 0.5 * disagreement) {
          e.numeric = finer.centered;
          e.refined_step = true;
        } else {
          kink = true;
        }
      }
      e.rel_error = relative_error(e.analytic, e.numeric);
      const double roundoff = 64 * DBL_EPSILON * std::max(scale, std::abs(f0)) / (e.refined_step ? h / 10 : h);
      // Every comparison with NaN is false, so a NaN would otherwise fall through to
      // "good" and vanish from the maximum error.
      if (!std::isfinite(e.analytic) || !std::isfinite(e.numeric)) {
        e.rel_error = std::numeric_limits<double>::infinity();
        e.verdict = Verdict::non_finite;
      } else if (kink) {
        e.verdict = Verdict::kink_crossed;
      } else if (e.rel_error == 0 || std::abs(e.analytic - e.numeric) <= roundoff) {
        e.verdict = Verdict::good;
        e.within_roundoff = e.rel_error > 1e-7;
        if (std::max(std::abs(e.analytic), std::abs(e.numeric)) < kTooSmall && e.rel_error != 0)
          e.verdict = Verdict::too_small;
      } else if (std::max(std::abs(e.analytic), std::abs(e.numeric)) < kTooSmall) {
        e.verdict = Verdict::too_small;
      } else {
        e.verdict = verdict_for(e.rel_error, options_.has_kinks);
      }
      ++in.count[static_cast<int>(e.verdict)];
      ++in.checked;
      in.verdict = std::max(in.verdict, e.verdict);
      if (e.verdict != Verdict::kink_crossed && e.verdict != Verdict::too_small && !e.within_roundoff)
        in.max_rel_error = std::max(in.max_rel_error, e.rel_error);
      in.worst.push_back(e);
    }
    std::stable_sort(in.worst.begin(), in.worst.end(), [](const auto& a, const auto& b) {
      if (a.verdict != b.verdict) return a.verdict > b.verdict;
      return a.rel_error > b.rel_error;
    });
    if (static_cast<int>(in.worst.size()) > options_.worst_shown) in.worst.resize(std::max(0, options_.worst_shown));
    if (in.unused) in.verdict = std::max(in.verdict, Verdict::unused);
    report_.inputs.push_back(std::move(in));
  }

  void run() {
    replay();
    objective_.prepare(xs_);
    if (unused_probe_) {
      replay();
      unused_probe_->prepare(xs_);
    }
    warm_up();
    for (const Tensor& g : analytic()) analytic_.push_back(g.to_vector<double>());
    for (std::size_t j = 0; j < checked_.size(); ++j) check_input(j);
    report_.allow_unused = options_.allow_unused;
    for (const auto& in : report_.inputs) {
      report_.verdict = std::max(report_.verdict, counted_verdict(in, options_.allow_unused));
      report_.max_rel_error = std::max(report_.max_rel_error, in.max_rel_error);
    }
    report_.eps = options_.eps;
    report_.evaluations = evaluations_;
  }

 private:
  struct Differences {
    double left, right, centered;
  };

  Differences differences(double& x, double f0, double h) {
    const double original = x;
    x = original + h;
    const double plus = loss().first;
    x = original - h;
    const double minus = loss().first;
    x = original;
    return {(f0 - minus) / h, (plus - f0) / h, (plus - minus) / (2 * h)};
  }

  void replay() {
    ++evaluations_;
    // Every evaluation replays the same random stream: a dropout mask drawn inside f
    // is the same mask each time.
    default_generator().set_state({options_.seed, 0});
  }

  std::vector<std::int64_t> pick_coordinates(std::int64_t n, int input) const {
    std::vector<std::int64_t> all(static_cast<std::size_t>(n));
    std::iota(all.begin(), all.end(), 0);
    if (n <= options_.max_coords_per_input) return all;
    // Partial Fisher-Yates with a seeded stream: the same subset for the same seed.
    Generator gen(options_.seed * 0x9E3779B97F4A7C15ull + static_cast<std::uint64_t>(input) + 1);
    const std::int64_t k = std::max<std::int64_t>(options_.max_coords_per_input, 1);
    for (std::int64_t i = 0; i < k; ++i) {
      const auto w = gen.block(gen.reserve(4));
      const std::uint64_t r = (static_cast<std::uint64_t>(w[0]) << 32) | w[1];
      const std::int64_t pick = i + static_cast<std::int64_t>(r % static_cast<std::uint64_t>(n - i));
      std::swap(all[static_cast<std::size_t>(i)], all[static_cast<std::size_t>(pick)]);
    }
    all.resize(static_cast<std::size_t>(k));
    std::sort(all.begin(), all.end());
    return all;
  }

  Objective& objective_;
  const GradcheckOptions& options_;
  GradcheckReport& report_;
  Objective* unused_probe_;
  std::vector<Tensor> xs_;
  std::vector<int> checked_;
  std::vector<bool> unused_;
  std::vector<std::vector<double>> analytic_;
  std::int64_t evaluations_ = 0;
};


// Steps above 0.1 measure a secant, not a derivative; a non-finite option would turn
// every comparison into NaN.
void validate(const GradcheckOptions& o) {
  TG_CHECK(std::isfinite(o.eps) && o.eps > 0 && o.eps <= 0.1,
           "gradcheck: eps must be finite and in (0, 0.1], got {}", o.eps);
  TG_CHECK(o.max_coords_per_input > 0, "gradcheck: max_coords_per_input must be positive, got {}",
           o.max_coords_per_input);
  TG_CHECK(o.warmup_steps >= 0, "gradcheck: warmup_steps must be >= 0, got {}", o.warmup_steps);
  TG_CHECK(std::isfinite(o.warmup_lr) && o.warmup_lr > 0, "gradcheck: warmup_lr must be finite and positive, got {}",
           o.warmup_lr);
  TG_CHECK(std::isfinite(o.kink_tolerance) && o.kink_tolerance > 0,
           "gradcheck: kink_tolerance must be finite and positive, got {}", o.kink_tolerance);
  TG_CHECK(o.worst_shown >= 0, "gradcheck: worst_shown must be >= 0, got {}", o.worst_shown);
}

GradcheckReport run_check(Objective& objective, const std::vector<Tensor>& inputs, const GradcheckOptions& options,
                          Objective* unused_probe = nullptr) {
  validate(options);
  GradModeGuard grad_mode(true);
  GeneratorRestore restore;
  GradcheckReport report;
  Checker checker(objective, inputs, options, report, unused_probe);
  checker.run();
  return report;
}

}  // namespace

GradcheckReport gradcheck_outputs(const MultiOutputFn& fn, const std::vector<Tensor>& inputs,
                                  const GradcheckOptions& options) {
  OutputsObjective objective(fn, options.seed);
  return run_check(objective, inputs, options);
}

GradcheckReport gradcheck_objective(const ScalarObjective& objective, const std::vector<Tensor>& inputs,
                                    const GradcheckOptions& options) {
  GivenObjective given(objective);
  return run_check(given, inputs, options);
}

GradcheckReport gradgradcheck_outputs(const MultiOutputFn& fn, const std::vector<Tensor>& inputs,
                                      const GradcheckOptions& options) {
  // g(x) = d/dx sum_k <r_k, f_k(x)>, built with create_graph so that it is itself
  // differentiable; gradcheck then compares its derivative with finite differences.
  const MultiOutputFn first_derivative = [&fn, seed = options.seed](const std::vector<Tensor>& xs) {
    std::vector<Tensor> outs = fn(xs);
    std::vector<Tensor> outputs, weights, wrt;
    Generator gen(seed ^ 0xD00Dull);
    for (const Tensor& o : outs) {
      Tensor r = o.numel() == 1 ? ones(o.shape(), o.dtype()) : randn(o.shape(), o.dtype(), &gen);
      if (!o.requires_grad()) continue;
      outputs.push_back(o);
      weights.push_back(r);
    }
    for (const Tensor& x : xs)
      if (x.defined() && x.requires_grad()) wrt.push_back(x);
    std::vector<Tensor> grads(wrt.size());
    if (!outputs.empty()) {
      BackwardOptions o;
      o.create_graph = true;
      o.retain_graph = true;
      grads = grad(outputs, wrt, weights, o, /*allow_unused=*/true);
    }
    for (std::size_t j = 0; j < grads.size(); ++j)
      if (!grads[j].defined()) grads[j] = zeros_like(wrt[j]);
    return grads;
  };
  OutputsObjective objective(first_derivative, options.seed);
  // Unused means f itself does not depend on the input; the derivative of a gradient
  // that is constant in x (f linear in x) is zero, not missing.
  OutputsObjective first_order(fn, options.seed);
  return run_check(objective, inputs, options, &first_order);
}

std::vector<GradcheckReport> gradcheck_eps_sweep(const MultiOutputFn& fn, const std::vector<Tensor>& inputs,
                                                 const std::vector<double>& eps_values,
                                                 GradcheckOptions options) {
  std::vector<GradcheckReport> reports;
  for (double eps : eps_values) {
    options.eps = eps;
    reports.push_back(gradcheck_outputs(fn, inputs, options));
  }
  return reports;
}

}  // namespace tg
