#include "tapegrad/optim/optimizer.hpp"

#include <set>

#include "tapegrad/autograd.hpp"
#include "tapegrad/parallel.hpp"
#include "tapegrad/profiler.hpp"

namespace tg::optim {

Optimizer::Optimizer(std::string name, std::vector<OptionSpec> schema, std::vector<ParamGroup> groups,
                     const Options& defaults)
    : name_(std::move(name)), schema_(std::move(schema)) {
  defaults_ = resolve_options(name_, schema_, defaults);
  std::size_t count = 0;
  for (const ParamGroup& group : groups) count += group.params.size();
  TG_CHECK(count > 0, "{}: no parameters to optimize (the parameter list is empty)", name_);
  for (ParamGroup& group : groups) add_param_group(std::move(group));
}

Optimizer::~Optimizer() = default;

ParamGroup Optimizer::checked_group(ParamGroup group, std::size_t index) const {
  TG_CHECK(!group.params.empty(), "{}: parameter group {} is empty; a group needs at least one parameter", name_,
           index);
  std::set<TensorId> seen;
  for (const ParamGroup& other : groups_)
    for (const Tensor& p : other.params) seen.insert(p.id());
  for (std::size_t i = 0; i < group.params.size(); ++i) {
    const Tensor& p = group.params[i];
    TG_CHECK(p.defined(), "{}: parameter {} of group {} is an undefined tensor", name_, i, index);
    TG_CHECK(p.is_leaf(),
             "{}: parameter {} of group {} (shape {}) is not a leaf tensor (it was made by {}); "
             "optimizers update leaves, e.g. a module's parameters",
             name_, i, index, p.shape().str(), p.grad_fn()->name());
    TG_CHECK(is_floating(p.dtype()),
             "{}: parameter {} of group {} (shape {}) has dtype {}; optimizers update floating tensors", name_, i,
             index, p.shape().str(), dtype_name(p.dtype()));
    TG_CHECK(seen.insert(p.id()).second,
             "{}: parameter {} of group {} (shape {}) appears more than once among the parameters", name_, i,
             index, p.shape().str());
  }
  group.options = resolve_options(name_, schema_, group.options, defaults_);
  return group;
}

void Optimizer::add_param_group(ParamGroup group) {
  TG_CHECK(groups_.size() < max_groups_, "{}: takes at most {} parameter group(s) (it treats all parameters as "
           "one vector); put every parameter in one group", name_, max_groups_);
  ParamGroup checked = checked_group(std::move(group), groups_.size());
  state_.emplace_back(checked.params.size());
  groups_.push_back(std::move(checked));
}

void Optimizer::set_max_groups(std::size_t n) {
  TG_CHECK(groups_.size() <= n, "{}: takes at most {} parameter group(s) (it treats all parameters as one "
           "vector), got {}; put every parameter in one group", name_, n, groups_.size());
  max_groups_ = n;
}

const OptionValue& Optimizer::option(std::size_t group, std::string_view name) const {
  TG_CHECK(group < groups_.size(), "{}: no parameter group {} (it has {})", name_, group, groups_.size());
  (void)find_option(name_, schema_, name);
  return groups_[group].options.at(name);
}

void Optimizer::set_option(std::size_t group, std::string_view name, const OptionValue& value) {
  TG_CHECK(group < groups_.size(), "{}: no parameter group {} (it has {})", name_, group, groups_.size());
  const OptionSpec& spec = find_option(name_, schema_, name);
  groups_[group].options.set(spec.name, validate_option(name_, spec, value));
}

void Optimizer::set_option(std::string_view name, const OptionValue& value) {
  const OptionSpec& spec = find_option(name_, schema_, name);
  const OptionValue checked = validate_option(name_, spec, value);
  for (ParamGroup& group : groups_) group.options.set(spec.name, checked);
}

bool Optimizer::has_option(std::string_view name) const {
  for (const OptionSpec& spec : schema_)
    if (spec.name == name) return true;
  return false;
}

void Optimizer::set_frozen(std::size_t group, bool frozen) {
  TG_CHECK(group < groups_.size(), "{}: no parameter group {} (it has {})", name_, group, groups_.size());
  groups_[group].frozen = frozen;
}

void Optimizer::zero_grad(bool set_to_none) {
  ProfileScope scope("optimizer zero_grad");
  for (ParamGroup& group : groups_) {
    for (Tensor& p : group.params) {
      if (set_to_none) {
        p.set_grad(Tensor{});
      } else if (p.grad().defined() && p.grad().requires_grad()) {
        // Made with create_graph: it is part of a graph, which may still read it.
        p.set_grad(zeros_like(p.grad()));
      } else if (p.grad().defined()) {
        p.mutable_grad().zero_();
      }
    }
  }
}

void Optimizer::step() {
  ProfileScope scope("optimizer step");
  adapt_num_threads();
  step_impl();
  ++steps_;
}

Tensor Optimizer::step(const Closure& closure) {
  TG_CHECK(static_cast<bool>(closure), "{}: step(closure) got an empty closure", name_);
  adapt_num_threads();
  Tensor loss = step_impl(closure);
  ++steps_;
  return loss;
}

Tensor Optimizer::step_impl(const Closure& closure) {
  Tensor loss = evaluate(closure);
  step_impl();
  return loss;
}

Tensor Optimizer::evaluate(const Closure& closure) {
  zero_grad(true);
  GradModeGuard grad_on(true);
  Tensor loss = closure();
  TG_CHECK(loss.defined(), "{}: the closure returned an undefined tensor; it must return the loss", name_);
  TG_CHECK(loss.numel() == 1, "{}: the closure returned a tensor of shape {}; it must return the (scalar) loss",
           name_, loss.shape().str());
  bool any_grad = false;
  for (const ParamGroup& group : groups_)
    for (const Tensor& p : group.params) any_grad = any_grad || p.grad().defined();
  if (!any_grad) {
    TG_CHECK(loss.requires_grad(),
             "{}: the closure's loss does not require grad: it was not computed from the parameters "
             "(or under NoGradGuard)",
             name_);
    loss.backward();
  }
  return loss;
}

const ParamState& Optimizer::state(std::size_t group, std::size_t index) const {
  TG_CHECK(group < state_.size() && index < state_[group].size(), "{}: no parameter {} in group {}", name_, index,
           group);
  return state_[group][index];
}

void Optimizer::load_global_state(const StateDict& dict) {
  TG_CHECK(dict.empty(), "{}: load_state_dict: unexpected entry '{}' ({} keeps no global state)", name_,
           dict.begin()->first, name_);
}

Tensor& state_buffer(ParamState& state, const std::string& name, const Tensor& param, double initial) {
  auto it = state.find(name);
  if (it == state.end()) {
    it = state.emplace(name, initial == 0 ? zeros(param.shape(), param.dtype())
                                          : full(param.shape(), initial, param.dtype()))
             .first;
  }
  return it->second;
}

std::vector<Tensor> trainable_params(const ParamGroup& group) {
  std::vector<Tensor> out;
  out.reserve(group.params.size());
  for (const Tensor& p : group.params)
    if (p.requires_grad()) out.push_back(p);
  return out;
}

Tensor state_scalar(double value) { return scalar_tensor(value, f64); }

std::int64_t increment_counter(ParamState& state, const std::string& name) {
  auto it = state.find(name);
  if (it == state.end()) it = state.emplace(name, state_scalar(0)).first;
  double& counter = *it->second.data<double>();
  counter += 1;
  return static_cast<std::int64_t>(counter);
}

}  // namespace tg::optim
