#include "tapegrad/nn/module.hpp"

#include <algorithm>
#include <set>
#include <unordered_set>

#include "tapegrad/autograd.hpp"

namespace tg::nn {

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += ", ";
    out += "'" + item + "'";
  }
  return out;
}

// Keeps the first occurrence of each tensor (by identity).
std::vector<NamedTensor> unique_tensors(std::vector<NamedTensor> all) {
  std::unordered_set<TensorId> seen;
  std::vector<NamedTensor> out;
  for (auto& entry : all)
    if (seen.insert(entry.second.id()).second) out.push_back(std::move(entry));
  return out;
}

template <class Entry>
bool named_in(const std::vector<Entry>& list, const std::string& name) {
  return std::any_of(list.begin(), list.end(), [&](const Entry& entry) { return entry.first == name; });
}

}  // namespace

Tensor Module::forward(const Tensor&) { fail_forward_arity(1); }

Tensor Module::forward_inputs(std::span<const Tensor> inputs) {
  if (inputs.size() == 1) return forward(inputs[0]);
  fail_forward_arity(inputs.size());
}

void Module::fail_forward_arity(std::size_t given) const {
  const std::vector<std::size_t> arities = forward_arities();
  if (std::find(arities.begin(), arities.end(), given) != arities.end())
    fail("{}: forward is not implemented for this module", name());
  TG_CHECK(!arities.empty(), "{}: a container has no forward (given {} input{}); call its modules", name(), given,
           given == 1 ? "" : "s");
  std::string counts;
  for (std::size_t i = 0; i < arities.size(); ++i)
    counts += (i == 0 ? "" : i + 1 == arities.size() ? " or " : ", ") + std::to_string(arities[i]);
  fail("{}: forward takes {} input{}, given {}", name(), counts, arities.size() == 1 && arities[0] == 1 ? "" : "s",
       given);
}

std::string Module::name() const { return type_name() + "(" + extra_repr() + ")"; }

void Module::append_tree(std::string& out, int indent) const {
  if (children_.empty()) {
    out += name();
    return;
  }
  const std::string pad(static_cast<std::size_t>(indent + 2), ' ');
  out += type_name() + "(\n";
  if (const std::string extra = extra_repr(); !extra.empty()) out += pad + extra + "\n";
  for (const auto& [child_name, child] : children_) {
    out += pad + "(" + child_name + "): ";
    child->append_tree(out, indent + 2);
    out += "\n";
  }
  out += std::string(static_cast<std::size_t>(indent), ' ') + ")";
}

std::string Module::to_string() const {
  std::string out;
  append_tree(out, 0);
  return out;
}

void Module::check_name(const std::string& name, const char* function) const {
  TG_CHECK(!name.empty(), "{}: the name is empty (in {})", function, this->name());
  TG_CHECK(name.find('.') == std::string::npos, "{}: name '{}' contains '.', which separates path parts (in {})",
           function, name, this->name());
  TG_CHECK(!named_in(parameters_, name), "{}: '{}' is already a parameter of {}", function, name, this->name());
  TG_CHECK(!named_in(buffers_, name), "{}: '{}' is already a buffer of {}", function, name, this->name());
}

void Module::check_new_name(const std::string& name, const char* function) const {
  check_name(name, function);
  TG_CHECK(!named_in(children_, name), "{}: '{}' is already a child module of {} (replace_module replaces a child)",
           function, name, this->name());
}

void Module::check_child(const std::string& name, const ModulePtr& module, const char* function) const {
  TG_CHECK(module != nullptr, "{}: '{}' is a null module (in {})", function, name, this->name());
  TG_CHECK(!module->reaches(this), "{}: registering '{}' in {} would make a cycle (it contains {})", function, name,
           this->name(), this->name());
}

void Module::set_children(std::vector<NamedModule> children, const char* function) {
  std::set<std::string> names;
  for (const auto& [child_name, child] : children) {
    check_name(child_name, function);
    TG_CHECK(names.insert(child_name).second, "{}: the name '{}' is given twice (in {})", function, child_name,
             name());
    check_child(child_name, child, function);
  }
  children_ = std::move(children);
}

Tensor Module::register_parameter(const std::string& name, Tensor tensor) {
  check_new_name(name, "register_parameter");
  TG_CHECK(tensor.defined(), "register_parameter: '{}' is an undefined tensor (in {})", name, this->name());
  TG_CHECK(is_floating(tensor.dtype()), "register_parameter: '{}' has dtype {}, expected f32 or f64 (in {})", name,
           dtype_name(tensor.dtype()), this->name());
  TG_CHECK(tensor.is_leaf(), "register_parameter: '{}' is not a leaf tensor (it has a history); pass .detach() (in {})",
           name, this->name());
  if (!tensor.requires_grad()) tensor.requires_grad_(true);
  parameters_.emplace_back(name, tensor);
  return tensor;
}

Tensor Module::register_buffer(const std::string& name, Tensor tensor) {
  check_new_name(name, "register_buffer");
  TG_CHECK(tensor.defined(), "register_buffer: '{}' is an undefined tensor (in {})", name, this->name());
  buffers_.emplace_back(name, tensor);
  return tensor;
}

bool Module::reaches(const Module* target) const {
  if (this == target) return true;
  return std::any_of(children_.begin(), children_.end(),
                     [&](const NamedModule& child) { return child.second->reaches(target); });
}

void Module::add_child(const std::string& name, ModulePtr module) {
  check_new_name(name, "register_module");
  check_child(name, module, "register_module");
  children_.emplace_back(name, std::move(module));
}

Module& Module::train(bool on) {
  training_ = on;
  for (auto& child : children_) child.second->train(on);
  return *this;
}

void Module::collect(const std::string& prefix, bool want_parameters, std::vector<NamedTensor>& out) const {
  for (const auto& [n, t] : want_parameters ? parameters_ : buffers_) out.emplace_back(prefix + n, t);
  for (const auto& [n, child] : children_) child->collect(prefix + n + ".", want_parameters, out);
}

std::vector<NamedTensor> Module::named_parameters() const {
  std::vector<NamedTensor> all;
  collect("", true, all);
  return unique_tensors(std::move(all));
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& entry : named_parameters()) out.push_back(std::move(entry.second));
  return out;
}

std::vector<NamedTensor> Module::named_buffers() const {
  std::vector<NamedTensor> all;
  collect("", false, all);
  return unique_tensors(std::move(all));
}

std::vector<Tensor> Module::buffers() const {
  std::vector<Tensor> out;
  for (auto& entry : named_buffers()) out.push_back(std::move(entry.second));
  return out;
}

std::vector<ModulePtr> Module::children() const {
  std::vector<ModulePtr> out;
  for (const auto& child : children_) out.push_back(child.second);
  return out;
}

std::map<std::string, Tensor> Module::state_dict() const {
  std::vector<NamedTensor> all;
  collect("", true, all);
  collect("", false, all);
  NoGradGuard no_grad;
  std::map<std::string, Tensor> out;
  for (const auto& [n, t] : all) out.emplace(n, t.detach().clone());
  return out;
}

LoadStateDictResult Module::load_state_dict(const std::map<std::string, Tensor>& state, bool strict) {
  std::vector<NamedTensor> targets;
  collect("", true, targets);
  collect("", false, targets);

  LoadStateDictResult result;
  std::set<std::string> known;
  for (const auto& [key, target] : targets) {
    known.insert(key);
    const auto it = state.find(key);
    if (it == state.end()) {
      result.missing_keys.push_back(key);
      continue;
    }
    const Tensor& value = it->second;
    TG_CHECK(value.defined(), "load_state_dict: '{}' is an undefined tensor", key);
    TG_CHECK(value.shape() == target.shape(), "load_state_dict: shape mismatch for '{}': the dict has {}, {} has {}",
             key, value.shape().str(), name(), target.shape().str());
    TG_CHECK(value.dtype() == target.dtype(), "load_state_dict: dtype mismatch for '{}': the dict has {}, {} has {}",
             key, dtype_name(value.dtype()), name(), dtype_name(target.dtype()));
  }
  for (const auto& entry : state)
    if (!known.contains(entry.first)) result.unexpected_keys.push_back(entry.first);
  if (strict && (!result.missing_keys.empty() || !result.unexpected_keys.empty())) {
    std::string message = fmt::format("load_state_dict: the dict does not match {}:", name());
    if (!result.missing_keys.empty()) message += " missing keys " + join(result.missing_keys) + ";";
    if (!result.unexpected_keys.empty()) message += " unexpected keys " + join(result.unexpected_keys) + ";";
    message.pop_back();
    fail("{}", message);
  }

  NoGradGuard no_grad;
  for (auto& [key, target] : targets)
    if (const auto it = state.find(key); it != state.end()) target.copy_(it->second);
  return result;
}

Module& Module::to(DType dtype) {
  TG_CHECK(is_floating(dtype), "Module::to: dtype {} is not floating; expected f32 or f64 (in {})",
           dtype_name(dtype), name());
  std::vector<NamedTensor> all = named_parameters();
  for (auto& entry : named_buffers()) all.push_back(std::move(entry));
  NoGradGuard no_grad;
  for (auto& [key, tensor] : all) {
    if (!is_floating(tensor.dtype()) || tensor.dtype() == dtype) continue;
    tensor.set_data(tensor.detach().to(dtype).contiguous().clone());
  }
  return *this;
}

Module& Module::requires_grad(bool on) {
  for (auto& parameter : parameters()) parameter.requires_grad_(on);
  return *this;
}

std::int64_t Module::num_parameters() const {
  std::int64_t total = 0;
  for (const auto& parameter : parameters()) total += parameter.numel();
  return total;
}

}  // namespace tg::nn
