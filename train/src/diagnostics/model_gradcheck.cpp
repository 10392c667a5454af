#include <tapegrad/train/diagnostics/model_gradcheck.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include <tapegrad/autograd.hpp>
#include <tapegrad/error.hpp>
#include <tapegrad/ops/losses.hpp>
#include <tapegrad/ops/operators.hpp>
#include <tapegrad/ops/reduce.hpp>

#include <tapegrad/train/diagnostics/fixed_batch.hpp>

namespace tg::train {

namespace {

// Converts a model to f64 for as long as it lives, then back to its dtype, with the
// gradients Module::to drops put back (the optimizer's step comes after the check).
class InF64 {
 public:
  explicit InF64(nn::Module& model) : model_(model), params_(model.parameters()) {
    TG_CHECK(!params_.empty(), "gradcheck: {} has no parameters", model.name());
    dtype_ = params_[0].dtype();
    for (const Tensor& p : params_) grads_.push_back(p.grad());
    model_.to(f64);
  }
  ~InF64() {
    model_.to(dtype_);
    for (std::size_t i = 0; i < params_.size(); ++i) params_[i].set_grad(grads_[i]);
  }
  InF64(const InF64&) = delete;
  InF64& operator=(const InF64&) = delete;

 private:
  nn::Module& model_;
  std::vector<Tensor> params_, grads_;
  DType dtype_ = f32;
};

}  // namespace

GradcheckReport gradcheck_loss(nn::Module& model, const Tensor& images, const Tensor& labels,
                               const ModelGradcheckOptions& options) {
  std::vector<Tensor> params = model.parameters();
  TG_CHECK(!params.empty(), "gradcheck: {} has no parameters", model.name());
  for (const Tensor& p : params)
    TG_CHECK(p.dtype() == f64, "gradcheck: the model's parameters must be f64 (call Module::to(tg::f64) on a copy), "
             "got {}", dtype_name(p.dtype()));
  const auto saved = model.state_dict();
  const Tensor x = images.to(f64);
  const bool class_labels = labels.dtype() == i64;
  const Tensor targets = class_labels ? labels : labels.to(f64);
  const LossFunction loss_of = options.loss ? options.loss : class_labels ? cross_entropy_loss() : mean_squared_error();

  // Returns a scalar equal to the loss at xs whose gradient with respect to xs is the
  // model's backward gradient g: loss + sum_i <g_i, xs_i - stop_gradient(xs_i)>.
  const auto loss_at = [&](const std::vector<Tensor>& xs) -> Tensor {
    {
      NoGradGuard no_grad;
      for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(xs[i]);
    }
    const Tensor loss = loss_of(model(x), targets);
    if (!is_grad_enabled()) return loss;
    const std::vector<Tensor> g = grad(loss, params);
    Tensor out = loss.detach();
    for (std::size_t i = 0; i < params.size(); ++i) out = out + sum(g[i].detach() * (xs[i] - xs[i].detach()));
    return out;
  };
  GradcheckOptions gradcheck_options;
  gradcheck_options.eps = options.eps;
  gradcheck_options.max_coords_per_input = options.max_coords_per_parameter;
  gradcheck_options.seed = options.seed;
  gradcheck_options.has_kinks = true;  // ReLU, max-pool
  const GradcheckReport report = gradcheck(loss_at, params, gradcheck_options);
  model.load_state_dict(saved);
  return report;
}

StepGradcheck::StepGradcheck(std::int64_t every, nn::data::Batch batch, Print print, ModelGradcheckOptions options)
    : every_(every),
      batch_(std::move(batch)),
      print_(std::move(print)),
      options_(options) {
  TG_CHECK(every >= 1, "train: --gradcheck-every must be at least 1 (a step number), got {}", every);
}

void StepGradcheck::before_step(const StepContext& context) {
  if (context.step % every_ != 0) return;
  nn::Module& model = context.model;
  GradcheckReport report;
  {
    const InF64 f64_for_the_check(model);
    report = gradcheck_loss(model, batch_.images, batch_.labels, options_);
  }
  if (print_) {
    std::vector<std::string> inputs;
    for (const auto& [name, p] : model.named_parameters()) inputs.push_back(fmt::format("{} = {}", inputs.size(), name));
    print_(fmt::format("gradcheck of the loss at step {} ({} examples, {} coordinates per parameter, f64): {}\n"
                       "inputs: {}\n{}",
                       context.step, batch_.labels.numel(), options_.max_coords_per_parameter,
                       verdict_name(report.verdict), fmt::join(inputs, ", "), report.table()));
  }
  reports_.emplace_back(context.step, std::move(report));
}

bool StepGradcheck::passed() const {
  return std::all_of(reports_.begin(), reports_.end(), [](const auto& entry) { return entry.second.passed(); });
}

}  // namespace tg::train
