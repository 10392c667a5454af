#include "tapegrad/nn/containers.hpp"

#include <string>

#include "tapegrad/ops/elementwise.hpp"

namespace tg::nn {

Sequential::Sequential(const std::vector<ModulePtr>& modules) {
  for (const auto& module : modules) push_back(module);
}

Sequential& Sequential::push_back(ModulePtr module) {
  TG_CHECK(module != nullptr, "Sequential::push_back: module {} is null", size());
  register_module(std::to_string(size()), std::move(module));
  return *this;
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor out = x;
  for (const auto& child : named_children()) out = child.second->forward(out);
  return out;
}

Tensor Sequential::forward_inputs(std::span<const Tensor> inputs) {
  if (inputs.size() == 1 || size() == 0) return Module::forward_inputs(inputs);
  Tensor out = named_children()[0].second->forward_inputs(inputs);
  for (std::size_t i = 1; i < size(); ++i) out = named_children()[i].second->forward(out);
  return out;
}

std::vector<std::size_t> Sequential::forward_arities() const {
  return size() == 0 ? Module::forward_arities() : named_children()[0].second->forward_arities();
}

ModulePtr Sequential::at(std::size_t i) const {
  TG_CHECK(i < size(), "Sequential: index {} is out of range for {} modules", i, size());
  return named_children()[i].second;
}

Residual::Residual(ModulePtr branch) : branch_(std::move(branch)) {
  TG_CHECK(branch_ != nullptr, "Residual: the branch is null");
  register_module("branch", branch_);
}

Tensor Residual::forward(const Tensor& x) { return add(x, branch_->forward(x)); }

void Residual::replacing_child(const std::string&, const ModulePtr& module) { branch_ = module; }

}  // namespace tg::nn
