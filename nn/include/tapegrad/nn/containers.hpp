#pragma once
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tapegrad/nn/module.hpp"

namespace tg::nn {

// Applies its children in order; they are named "0", "1", ... An empty Sequential is
// the identity. Several inputs go to the first module (as LibTorch's Sequential), whose
// output goes through the rest.
class Sequential : public Module {
 public:
  Sequential() = default;
  explicit Sequential(const std::vector<ModulePtr>& modules);
  Sequential& push_back(ModulePtr module);

  Tensor forward(const Tensor& x) override;
  Tensor forward_inputs(std::span<const Tensor> inputs) override;
  // The first module's ({1} when empty).
  std::vector<std::size_t> forward_arities() const override;
  std::string type_name() const override { return "Sequential"; }

  std::size_t size() const { return named_children().size(); }
  // The i-th module; an error when i is out of range.
  ModulePtr at(std::size_t i) const;
  ModulePtr operator[](std::size_t i) const { return at(i); }
};

// x + branch(x) (a residual block, He et al. 2016). The branch is the child "branch"
// and must keep x's shape; replace_module("branch", ...) swaps it.
class Residual : public Module {
 public:
  explicit Residual(ModulePtr branch);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Residual"; }
  const ModulePtr& branch() const { return branch_; }

 protected:
  void replacing_child(const std::string& name, const ModulePtr& module) override;

 private:
  ModulePtr branch_;
};

}  // namespace tg::nn
