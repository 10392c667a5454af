#include "tapegrad/optim/newton.hpp"

#include "tapegrad/autograd.hpp"
#include "tapegrad/optim/registry.hpp"
#include "tapegrad/tensor_iteration.hpp"

namespace tg::optim {

namespace {
void write_flat(std::vector<double>& out, std::size_t offset, const Tensor& t) {
  const std::vector<double> v = t.detach().to_vector<double>();
  std::copy(v.begin(), v.end(), out.begin() + static_cast<std::ptrdiff_t>(offset));
}
}  // namespace

GradientAndHessian gradient_and_hessian(const Tensor& loss, std::span<const Tensor> params) {
  TG_CHECK(loss.numel() == 1, "gradient_and_hessian: the loss must be a scalar, got shape {}", loss.shape().str());
  TG_CHECK(loss.requires_grad(), "gradient_and_hessian: the loss does not require grad: it was not computed from the "
                                 "parameters (or under NoGradGuard)");
  TG_CHECK(!(loss.grad_fn() && loss.grad_fn()->released()),
           "gradient_and_hessian: the loss's graph was already freed by a backward; return the loss without "
           "calling backward on it (newton differentiates it twice)");
  std::vector<std::size_t> offsets;
  std::size_t n = 0;
  for (const Tensor& p : params) offsets.push_back(n), n += static_cast<std::size_t>(p.numel());

  GradModeGuard grad_on(true);
  BackwardOptions first;
  first.create_graph = first.retain_graph = true;
  const std::vector<Tensor> grads = grad(std::span<const Tensor>(&loss, 1), params, {}, first, true);

  GradientAndHessian out{std::vector<double>(n, 0.0), std::vector<double>(n * n, 0.0)};
  std::vector<Tensor> outputs, seeds;
  std::vector<std::size_t> output_offsets;
  for (std::size_t k = 0; k < params.size(); ++k) {
    if (!grads[k].defined()) continue;  // the loss does not depend on this parameter
    write_flat(out.gradient, offsets[k], grads[k]);
    if (!grads[k].requires_grad()) continue;  // the loss is linear in it: its Hessian rows are zero
    outputs.push_back(grads[k]);
    seeds.push_back(zeros(grads[k].shape(), grads[k].dtype()));
    output_offsets.push_back(offsets[k]);
  }
  BackwardOptions second;
  second.retain_graph = true;
  for (std::size_t j = 0; j < outputs.size(); ++j) {
    const std::int64_t count = outputs[j].numel();
    for (std::int64_t e = 0; e < count; ++e) {
      // Row r of H is d(g_r)/dx: the gradient of <e_r, g>.
      dispatch_floating(seeds[j].dtype(), [&](auto zero) { seeds[j].data<decltype(zero)>()[e] = 1; });
      const std::vector<Tensor> row = grad(outputs, params, seeds, second, true);
      const std::size_t r = output_offsets[j] + static_cast<std::size_t>(e);
      std::vector<double> flat_row(n, 0.0);
      for (std::size_t k = 0; k < params.size(); ++k)
        if (row[k].defined()) write_flat(flat_row, offsets[k], row[k]);
      std::copy(flat_row.begin(), flat_row.end(), out.hessian.begin() + static_cast<std::ptrdiff_t>(r * n));
      dispatch_floating(seeds[j].dtype(), [&](auto zero) { seeds[j].data<decltype(zero)>()[e] = 0; });
    }
  }
  for (std::size_t i = 0; i < n; ++i)  // exact symmetry (rows are computed independently)
    for (std::size_t j = i + 1; j < n; ++j) {
      const double mean = 0.5 * (out.hessian[i * n + j] + out.hessian[j * n + i]);
      out.hessian[i * n + j] = out.hessian[j * n + i] = mean;
    }
  return out;
}

std::vector<OptionSpec> Newton::options() {
  return {
      number_option("lr", 1.0, "step length: x -= lr * d", at_least(0)),
      number_option("damping", 0.0, "added to the Hessian's diagonal (Levenberg-Marquardt style)", at_least(0)),
      integer_option("max_parameters", 2000, "refuse larger problems (the Hessian is dense, n x n)", at_least(1)),
  };
}

Newton::Newton(std::vector<ParamGroup> groups, const Options& options)
    : Optimizer("newton", Newton::options(), std::move(groups), options) {
  set_max_groups(1);
  declare_state({});  // no state between steps
}

void Newton::step_impl() {
  fail("newton: step() needs a closure that returns the loss (newton differentiates it twice): call step(closure)");
}

Tensor Newton::step_impl(const Closure& closure) {
  const ParamGroup& group = param_groups()[0];
  const std::vector<Tensor> params = trainable_params(group);
  std::int64_t n = 0;
  for (const Tensor& p : params) n += p.numel();
  const std::int64_t limit = group.options.integer("max_parameters");
  TG_CHECK(n <= limit, "newton: {} parameters would need a dense {}x{} Hessian; the limit is max_parameters={} "
           "(use lbfgs for larger problems)", n, n, n, limit);
  Tensor loss;
  {
    GradModeGuard grad_on(true);
    loss = closure();
  }
  TG_CHECK(loss.defined() && loss.numel() == 1, "newton: the closure must return the (scalar) loss");
  if (group.frozen || params.empty()) return loss;
  const GradientAndHessian gh = gradient_and_hessian(loss, params);
  const NewtonSystemSolution solution =
      solve_newton_system(gh.hessian, gh.gradient, n, group.options.number("damping"));
  last_solver_ = solution.solver;
  const double lr = group.options.number("lr");
  std::size_t offset = 0;
  for (const Tensor& p : params) {
    const std::size_t count = static_cast<std::size_t>(p.numel());
    std::vector<double> x = p.detach().to_vector<double>();
    for (std::size_t i = 0; i < count; ++i) x[i] -= lr * solution.d[offset + i];
    copy_elements(p, from_vector(x, p.shape()));
    p.bump_version();
    offset += count;
  }
  return loss;
}

TAPEGRAD_REGISTER_OPTIMIZER(Newton, "newton",
                            "Newton's method, dense Hessian from second derivatives (small problems; step(closure))");

}  // namespace tg::optim
