#include "tapegrad/nn/gradcheck_module.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>
#include <span>
#include <utility>

#include "tapegrad/autograd.hpp"
#include "tapegrad/did_you_mean.hpp"
#include "tapegrad/error.hpp"
#include "tapegrad/nn/batch_norm.hpp"
#include "tapegrad/nn/drop_connect.hpp"
#include "tapegrad/nn/dropout.hpp"
#include "tapegrad/nn/stochastic_depth.hpp"
#include "tapegrad/ops/losses.hpp"
#include "tapegrad/random.hpp"

namespace tg::nn {

namespace {

using NamedModulePtr = std::pair<std::string, Module*>;

// Every module of the tree once, parents before children ("" for the root).
void collect_modules(Module& module, const std::string& name, std::set<const Module*>& seen,
                     std::vector<NamedModulePtr>& out) {
  if (!seen.insert(&module).second) return;
  out.emplace_back(name, &module);
  for (const auto& [child_name, child] : module.named_children())
    collect_modules(*child, name.empty() ? child_name : name + "." + child_name, seen, out);
}

std::string shown_name(const NamedModulePtr& m) {
  return m.first.empty() ? m.second->name() : fmt::format("'{}' ({})", m.first, m.second->name());
}

Generator* own_generator(Module* m) {
  if (auto* d = dynamic_cast<Dropout*>(m)) return d->generator();
  if (auto* d = dynamic_cast<DropConnect*>(m)) return d->generator();
  if (auto* d = dynamic_cast<StochasticDepth*>(m)) return d->generator();
  return nullptr;
}

// For as long as it lives, the module computes on f64 copies of its parameters and
// buffers (Tensor::set_data, so every holder of a tensor sees the copy) in the modes
// the options ask for; on exit, even by an exception, every tensor gets back its own
// storage and .grad(), every submodule its mode, every generator of a layer its state.
class CheckedCopy {
 public:
  CheckedCopy(Module& module, const std::vector<NamedModulePtr>& modules)
      : modules_(modules) {
    for (auto& entry : module.named_parameters()) tensors_.push_back(entry.second);
    for (auto& entry : module.named_buffers()) tensors_.push_back(entry.second);
    NoGradGuard no_grad;
    for (Tensor& t : tensors_) {
      originals_.push_back(t.detach());
      grads_.push_back(t.is_leaf() && t.requires_grad() ? t.grad() : Tensor{});
      t.set_data(is_floating(t.dtype()) ? t.detach().to(f64).contiguous().clone() : t.detach().clone());
    }
    for (const auto& [name, m] : modules_) {
      modes_.push_back(m->is_training());
      if (Generator* g = own_generator(m)) generators_.emplace_back(g, g->state());
    }
  }
  ~CheckedCopy() {
    NoGradGuard no_grad;
    for (std::size_t i = 0; i < tensors_.size(); ++i) {
      tensors_[i].set_data(originals_[i]);
      if (grads_[i].defined()) tensors_[i].set_grad(grads_[i]);
    }
    // Parents first: Module::train is recursive, each child then gets its own mode back.
    for (std::size_t i = 0; i < modules_.size(); ++i) modules_[i].second->train(modes_[i]);
    replay();
  }
  CheckedCopy(const CheckedCopy&) = delete;
  CheckedCopy& operator=(const CheckedCopy&) = delete;

  // A layer with its own generator draws the same mask in every evaluation.
  void replay() const {
    for (const auto& [g, state] : generators_) g->set_state(state);
  }
  bool has_own_generators() const { return !generators_.empty(); }

 private:
  const std::vector<NamedModulePtr>& modules_;
  std::vector<Tensor> tensors_, originals_, grads_;
  std::vector<bool> modes_;
  std::vector<std::pair<Generator*, Generator::State>> generators_;
};

// The parameters to check, by name, in named_parameters() order.
std::vector<NamedTensor> chosen_parameters(const Module& module, const std::vector<std::string>& wanted) {
  const std::vector<NamedTensor> all = module.named_parameters();
  TG_CHECK(!all.empty(), "gradcheck_module: {} has no parameters", module.type_name());
  std::vector<std::string> names;
  for (const auto& [name, p] : all) names.push_back(name);
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    TG_CHECK(std::find(names.begin(), names.end(), wanted[i]) != names.end(),
             "gradcheck_module: options.parameters names '{}', which {} does not have{}; its parameters: {}", wanted[i],
             module.type_name(), did_you_mean(wanted[i], names), fmt::join(names, ", "));
    TG_CHECK(std::find(wanted.begin(), wanted.begin() + static_cast<std::ptrdiff_t>(i), wanted[i]) ==
                 wanted.begin() + static_cast<std::ptrdiff_t>(i),
             "gradcheck_module: options.parameters names '{}' twice", wanted[i]);
  }
  std::vector<NamedTensor> chosen;
  for (const auto& entry : all) {
    const bool named = std::find(wanted.begin(), wanted.end(), entry.first) != wanted.end();
    if (!wanted.empty() && !named) continue;
    if (!entry.second.requires_grad()) {
      TG_CHECK(!named, "gradcheck_module: parameter '{}' does not require grad (frozen): there is no gradient to check",
               entry.first);
      continue;
    }
    chosen.push_back(entry);
  }
  TG_CHECK(!chosen.empty(), "gradcheck_module: every parameter of {} is frozen (requires_grad false): nothing to check",
           module.type_name());
  return chosen;
}

// Sets the modes and says which were used, BatchNorm by BatchNorm.
std::vector<std::string> apply_modes(Module& module, const std::vector<NamedModulePtr>& modules,
                                     const ModuleGradcheckOptions& options) {
  if (options.mode != ModuleMode::as_is) module.train(options.mode == ModuleMode::train);
  std::vector<std::string> notes;
  notes.push_back(fmt::format("{} checked in {} mode, in f64 on copies of its parameters and buffers",
                              module.type_name(), options.mode == ModuleMode::as_is
                                                 ? std::string(module.is_training() ? "its own (train)" : "its own (eval)")
                                                 : std::string(module.is_training() ? "train" : "eval")));
  for (const auto& entry : modules) {
    auto* bn = dynamic_cast<BatchNorm*>(entry.second);
    if (!bn) continue;
    if (options.batch_norm != BatchNormStatistics::follow_mode)
      bn->train(options.batch_norm == BatchNormStatistics::batch);
    const bool batch = bn->is_training() || !bn->running_mean().defined();
    notes.push_back(fmt::format("{} normalizes with the {}", shown_name(entry),
                                batch ? (bn->is_training() ? "batch's statistics (train mode)"
                                                           : "batch's statistics (it tracks no running statistics)")
                                      : "running statistics (eval mode)"));
  }
  for (const auto& entry : modules)
    if (entry.second->is_training() && (dynamic_cast<Dropout*>(entry.second) || dynamic_cast<DropConnect*>(entry.second) ||
                                        dynamic_cast<StochasticDepth*>(entry.second)))
      notes.push_back(fmt::format("{} draws one mask, replayed in every evaluation", shown_name(entry)));
  return notes;
}

void validate(const ModuleGradcheckOptions& options) {
  TG_CHECK(options.mode == ModuleMode::as_is || options.mode == ModuleMode::train || options.mode == ModuleMode::eval,
           "gradcheck_module: options.mode {} is not a ModuleMode", static_cast<int>(options.mode));
  TG_CHECK(options.batch_norm == BatchNormStatistics::follow_mode || options.batch_norm == BatchNormStatistics::batch ||
               options.batch_norm == BatchNormStatistics::running,
           "gradcheck_module: options.batch_norm {} is not a BatchNormStatistics", static_cast<int>(options.batch_norm));
}

}  // namespace

ModuleLoss default_module_loss() {
  return [](const Tensor& output, const data::Batch& batch) {
    if (batch.labels.dtype() == i64) return cross_entropy(output, batch.labels);
    return mse_loss(output, batch.labels);
  };
}

GradcheckOptions module_gradcheck_defaults() {
  GradcheckOptions o;
  o.has_kinks = true;
  o.max_coords_per_input = 20;
  return o;
}

GradcheckReport gradcheck_module(Module& module, const ModuleObjective& objective_of,
                                 const ModuleGradcheckOptions& options) {
  validate(options);
  TG_CHECK(static_cast<bool>(objective_of), "gradcheck_module: the objective is an empty function");
  const std::vector<NamedTensor> chosen = chosen_parameters(module, options.parameters);

  std::vector<NamedModulePtr> modules;
  std::set<const Module*> seen;
  collect_modules(module, "", seen, modules);
  const CheckedCopy copy(module, modules);
  std::vector<std::string> notes = apply_modes(module, modules, options);

  std::vector<Tensor> params;
  for (const auto& entry : chosen) params.push_back(entry.second);
  // The loss with the parameters set to xs (each evaluation starts from the same state:
  // BatchNorm's running statistics are not inputs in train mode, and constants in eval).
  const auto loss_at = [&](const std::vector<Tensor>& xs) {
    {
      NoGradGuard no_grad;
      for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(xs[i]);
    }
    copy.replay();
    const Tensor value = objective_of(module);
    TG_CHECK(value.defined() && value.numel() == 1 && is_floating(value.dtype()),
             "gradcheck_module: the loss must be a floating scalar, got {} of shape {}",
             value.defined() ? dtype_name(value.dtype()) : "an undefined tensor",
             value.defined() ? value.shape().str() : "-");
    return value;
  };
  ScalarObjective objective;
  objective.value = [&](const std::vector<Tensor>& xs) {
    NoGradGuard no_grad;  // the finite differences need no tape
    return loss_at(xs).item();
  };
  objective.gradient = [&](const std::vector<Tensor>& xs) {
    const Tensor value = loss_at(xs);
    // A loss computed without the tape (detached) reaches no parameter: all unused.
    if (!value.requires_grad()) return std::vector<Tensor>(params.size());
    return grad(std::span<const Tensor>(&value, 1), params, {}, {}, /*allow_unused=*/true);
  };
  GradcheckReport report = gradcheck_objective(objective, params, options.check);
  for (GradcheckInputReport& in : report.inputs) in.name = chosen[static_cast<std::size_t>(in.input)].first;
  if (copy.has_own_generators()) notes.push_back("layers with their own generators replay them too");
  report.notes.insert(report.notes.begin(), notes.begin(), notes.end());
  report.unused_advice =
      "the loss does not reach this parameter (detached, or in a layer the forward does not use); leave it out of "
      "options.parameters, or set options.check.allow_unused";
  return report;
}

GradcheckReport gradcheck_module(Module& module, const ModuleLoss& loss, const data::Batch& batch,
                                 const ModuleGradcheckOptions& options) {
  TG_CHECK(batch.images.defined() && is_floating(batch.images.dtype()),
           "gradcheck_module: batch.images must be a floating tensor, got {}",
           batch.images.defined() ? dtype_name(batch.images.dtype()) : "an undefined tensor");
  TG_CHECK(batch.labels.defined(), "gradcheck_module: batch.labels is undefined; expected class labels or targets");
  const ModuleLoss& loss_of = loss ? loss : default_module_loss();
  data::Batch batch64;
  {
    NoGradGuard no_grad;
    batch64.images = batch.images.detach().to(f64);
    batch64.labels = is_floating(batch.labels.dtype()) ? batch.labels.detach().to(f64) : batch.labels;
  }
  return gradcheck_module(
      module, [&](Module& m) { return loss_of(m(batch64.images), batch64); }, options);
}

}  // namespace tg::nn
