#include "tapegrad/optim/lbfgs.hpp"

#include <algorithm>
#include <cmath>

#include "flat_vector.hpp"
#include "state_checks.hpp"
#include "tapegrad/optim/line_search.hpp"
#include "tapegrad/optim/registry.hpp"
#include "tapegrad/tensor_iteration.hpp"

namespace tg::optim {

using detail::dot;

namespace {
double max_abs(std::span<const double> a) {
  double m = 0;
  for (double v : a) m = std::max(m, std::fabs(v));
  return m;
}
}  // namespace

std::vector<double> lbfgs_direction(std::span<const double> g, const std::vector<std::vector<double>>& s,
                                    const std::vector<std::vector<double>>& y, std::span<const double> rho,
                                    double h_diag) {
  const std::size_t k = s.size(), n = g.size();
  std::vector<double> q(n), alpha(k);
  for (std::size_t j = 0; j < n; ++j) q[j] = -g[j];
  for (std::size_t i = k; i-- > 0;) {
    alpha[i] = dot(s[i], q) * rho[i];
    for (std::size_t j = 0; j < n; ++j) q[j] -= alpha[i] * y[i][j];
  }
  for (double& v : q) v *= h_diag;
  for (std::size_t i = 0; i < k; ++i) {
    const double beta = dot(y[i], q) * rho[i];
    for (std::size_t j = 0; j < n; ++j) q[j] += (alpha[i] - beta) * s[i][j];
  }
  return q;
}

std::vector<OptionSpec> Lbfgs::options() {
  return {
      number_option("lr", 1.0, "step length (the line search's first trial step)", at_least(0)),
      integer_option("max_iter", 20, "L-BFGS iterations per step()", at_least(1)),
      integer_option("max_eval", 0, "closure evaluations per step(); 0 means max_iter * 5 / 4", at_least(0)),
      number_option("tolerance_grad", 1e-7, "stop when max |gradient| is at most this", at_least(0)),
      number_option("tolerance_change", 1e-9, "stop when the loss or the step changes less than this",
                    at_least(0)),
      integer_option("history_size", 10, "number of (s, y) pairs kept", at_least(1)),
      boolean_option("line_search", true, "strong-Wolfe line search (false: fixed steps of lr)"),
  };
}

Lbfgs::Lbfgs(std::vector<ParamGroup> groups, const Options& options)
    : Optimizer("lbfgs", Lbfgs::options(), std::move(groups), options) {
  set_max_groups(1);
  declare_state({});  // its state is global (the flat history), not per parameter
}

void Lbfgs::step_impl() {
  fail("lbfgs: step() needs a closure that re-evaluates the loss: call step(closure)");
}

std::int64_t Lbfgs::numel() const {
  std::int64_t n = 0;
  for (const Tensor& p : trainable_params(param_groups()[0])) n += p.numel();
  return n;
}

std::vector<double> Lbfgs::flat_grad() const {
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(numel()));
  for (const Tensor& p : trainable_params(param_groups()[0])) {
    if (p.grad().defined()) {
      const std::vector<double> g = p.grad().to_vector<double>();
      out.insert(out.end(), g.begin(), g.end());
    } else {
      out.insert(out.end(), static_cast<std::size_t>(p.numel()), 0.0);
    }
  }
  return out;
}

std::vector<double> Lbfgs::flat_params() const {
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(numel()));
  for (const Tensor& p : trainable_params(param_groups()[0])) {
    const std::vector<double> v = p.detach().to_vector<double>();
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

void Lbfgs::set_flat_params(std::span<const double> x) {
  std::size_t offset = 0;
  for (const Tensor& p : trainable_params(param_groups()[0])) {
    const std::size_t n = static_cast<std::size_t>(p.numel());
    copy_elements(p, from_vector(x.subspan(offset, n), p.shape()));
    p.bump_version();
    offset += n;
  }
}

Tensor Lbfgs::step_impl(const Closure& closure) {
  const ParamGroup& group = param_groups()[0];
  const Options& o = group.options;
  const double lr = o.number("lr"), tolerance_grad = o.number("tolerance_grad"),
               tolerance_change = o.number("tolerance_change");
  const std::int64_t max_iter = o.integer("max_iter"), history_size = o.integer("history_size");
  const std::int64_t max_eval = o.integer("max_eval") > 0 ? o.integer("max_eval") : max_iter * 5 / 4;
  const bool line_search = o.boolean("line_search");

  const Tensor orig_loss = evaluate(closure);
  double loss = orig_loss.item();
  std::int64_t current_evals = 1;
  ++func_evals_;
  std::vector<double> g = flat_grad();
  if (group.frozen || max_abs(g) <= tolerance_grad) return orig_loss;

  for (std::int64_t n_iter = 1; n_iter <= max_iter; ++n_iter) {
    ++n_iter_;
    // A parameter's requires_grad changed since the last step: the history describes
    // another vector, so start again from steepest descent.
    if (n_iter_ == 1 || prev_flat_grad_.size() != g.size()) {
      d_.resize(g.size());
      for (std::size_t j = 0; j < g.size(); ++j) d_[j] = -g[j];
      old_dirs_.clear(), old_stps_.clear(), ro_.clear();
      h_diag_ = 1;
    } else {  // update the history with the last step's pair, then the two-loop direction
      std::vector<double> y(g.size()), s(g.size());
      for (std::size_t j = 0; j < g.size(); ++j) y[j] = g[j] - prev_flat_grad_[j], s[j] = d_[j] * t_;
      const double ys = dot(y, s);
      if (ys > 1e-10) {  // keep only pairs with positive curvature
        // A loaded state may hold more pairs than this history_size allows.
        while (static_cast<std::int64_t>(old_dirs_.size()) >= history_size) {
          old_dirs_.erase(old_dirs_.begin()), old_stps_.erase(old_stps_.begin()), ro_.erase(ro_.begin());
        }
        h_diag_ = ys / dot(y, y);
        old_dirs_.push_back(std::move(y)), old_stps_.push_back(std::move(s)), ro_.push_back(1.0 / ys);
      }
      d_ = lbfgs_direction(g, old_stps_, old_dirs_, ro_, h_diag_);
    }
    prev_flat_grad_ = g;
    prev_loss_ = loss;
    double l1 = 0;
    for (double v : g) l1 += std::fabs(v);
    t_ = n_iter_ == 1 ? std::min(1.0, 1.0 / l1) * lr : lr;
    const double gtd = dot(g, d_);
    if (gtd > -tolerance_change) break;  // not a descent direction any more

    std::int64_t ls_evals = 0;
    const std::vector<double> x0 = flat_params();
    std::vector<double> x(x0.size());
    const auto move_to = [&](double t) {
      for (std::size_t j = 0; j < x.size(); ++j) x[j] = x0[j] + t * d_[j];
      set_flat_params(x);
    };
    bool converged = false;
    if (line_search) {
      const DirectionalObjective objective = [&](double t, std::vector<double>& grad) {
        move_to(t);
        const double f = evaluate(closure).item();
        grad = flat_grad();
        return f;
      };
      LineSearchResult r = strong_wolfe(objective, t_, d_, loss, g, gtd, {1e-4, 0.9, tolerance_change, 25});
      loss = r.f, g = std::move(r.grad), t_ = r.t, ls_evals = r.evaluations;
      move_to(t_);
      converged = max_abs(g) <= tolerance_grad;
    } else {
      move_to(t_);
      if (n_iter != max_iter) {
        loss = evaluate(closure).item();
        g = flat_grad();
        converged = max_abs(g) <= tolerance_grad;
        ls_evals = 1;
      }
    }
    current_evals += ls_evals;
    func_evals_ += ls_evals;
    if (n_iter == max_iter || current_evals >= max_eval || converged) break;
    if (max_abs(d_) * std::fabs(t_) <= tolerance_change) break;
    if (std::fabs(loss - prev_loss_) < tolerance_change) break;
  }
  return orig_loss;
}

namespace {
Tensor vector_tensor(const std::vector<double>& v) {
  return from_vector(v, Shape{static_cast<std::int64_t>(v.size())});
}
Tensor matrix_tensor(const std::vector<std::vector<double>>& rows, std::int64_t n) {
  std::vector<double> flat;
  for (const auto& row : rows) flat.insert(flat.end(), row.begin(), row.end());
  return from_vector(flat, Shape{static_cast<std::int64_t>(rows.size()), n});
}
}  // namespace

void Lbfgs::save_global_state(StateDict& dict) const {
  dict["func_evals"] = state_scalar(static_cast<double>(func_evals_));
  dict["n_iter"] = state_scalar(static_cast<double>(n_iter_));
  dict["t"] = state_scalar(t_);
  dict["h_diag"] = state_scalar(h_diag_);
  dict["prev_loss"] = state_scalar(prev_loss_);
  if (n_iter_ == 0) return;
  dict["d"] = vector_tensor(d_);
  dict["prev_flat_grad"] = vector_tensor(prev_flat_grad_);
  dict["ro"] = vector_tensor(ro_);
  dict["old_dirs"] = matrix_tensor(old_dirs_, numel());
  dict["old_stps"] = matrix_tensor(old_stps_, numel());
}

void Lbfgs::load_global_state(const StateDict& dict) {
  const std::string who = "lbfgs: load_state_dict";
  const std::int64_t n = numel();
  const auto key_of = [](const std::string& name) { return "global." + name; };
  const auto get = [&](const std::string& name, const Shape& shape) -> const Tensor& {
    const auto it = dict.find(name);
    TG_CHECK(it != dict.end(), "{}: missing entry '{}'", who, key_of(name));
    const Tensor& t = it->second;
    TG_CHECK(t.defined() && t.dtype() == f64 && t.shape() == shape,
             "{}: entry '{}' must be an f64 tensor of shape {}, got {} of shape {}", who, key_of(name), shape.str(),
             t.defined() ? dtype_name(t.dtype()) : "undefined", t.defined() ? t.shape().str() : "-");
    return t;
  };
  const auto scalar = [&](const std::string& name) {
    const auto it = dict.find(name);
    TG_CHECK(it != dict.end(), "{}: missing entry '{}'", who, key_of(name));
    return detail::scalar_value(who, key_of(name), it->second);
  };
  const auto count = [&](const std::string& name) { return detail::checked_count(who, key_of(name), scalar(name)); };
  const auto finite = [&](const std::string& name, double v, bool positive) {
    TG_CHECK(std::isfinite(v) && (!positive || v > 0), "{}: entry '{}' must be a finite{} number, got {}", who,
             key_of(name), positive ? " positive" : "", v);
    return v;
  };
  static const char* const scalars[] = {"func_evals", "n_iter", "t", "h_diag", "prev_loss"};
  static const char* const history[] = {"d", "prev_flat_grad", "ro", "old_dirs", "old_stps"};
  const std::int64_t func_evals = count("func_evals"), n_iter = count("n_iter");
  for (const auto& [key, value] : dict) {
    const bool is_scalar = std::find(std::begin(scalars), std::end(scalars), key) != std::end(scalars);
    const bool is_history = std::find(std::begin(history), std::end(history), key) != std::end(history);
    TG_CHECK(is_scalar || is_history, "{}: unexpected entry '{}'", who, key_of(key));
    TG_CHECK(is_scalar || n_iter > 0, "{}: unexpected entry '{}' (global.n_iter is 0: there is no history yet)",
             who, key_of(key));
  }
  const double t = finite("t", scalar("t"), false), h_diag = finite("h_diag", scalar("h_diag"), true),
               prev_loss = scalar("prev_loss");
  std::vector<double> d, prev_flat_grad, ro;
  std::vector<std::vector<double>> old_dirs, old_stps;
  if (n_iter > 0) {
    d = get("d", Shape{n}).to_vector<double>();
    prev_flat_grad = get("prev_flat_grad", Shape{n}).to_vector<double>();
    const auto ro_it = dict.find("ro");
    TG_CHECK(ro_it != dict.end(), "{}: missing entry 'global.ro'", who);
    const std::int64_t pairs = ro_it->second.defined() ? ro_it->second.numel() : 0;
    ro = get("ro", Shape{pairs}).to_vector<double>();
    for (double v : ro) finite("ro", v, true);  // 1 / (y.s) of a pair kept for its positive curvature
    const Shape shape{pairs, n};
    const std::vector<double> dirs = get("old_dirs", shape).to_vector<double>();
    const std::vector<double> stps = get("old_stps", shape).to_vector<double>();
    for (std::size_t i = 0; i < ro.size(); ++i) {
      old_dirs.emplace_back(dirs.begin() + i * n, dirs.begin() + (i + 1) * n);
      old_stps.emplace_back(stps.begin() + i * n, stps.begin() + (i + 1) * n);
    }
  }
  func_evals_ = func_evals, n_iter_ = n_iter, t_ = t, h_diag_ = h_diag, prev_loss_ = prev_loss;
  d_ = std::move(d), prev_flat_grad_ = std::move(prev_flat_grad), ro_ = std::move(ro);
  old_dirs_ = std::move(old_dirs), old_stps_ = std::move(old_stps);
}

TAPEGRAD_REGISTER_OPTIMIZER(Lbfgs, "lbfgs",
                            "L-BFGS with a strong-Wolfe line search (full batch; needs step(closure))");

}  // namespace tg::optim
