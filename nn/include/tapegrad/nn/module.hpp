#pragma once
// nn::Module: a layer or a model. It owns named parameters (leaf tensors that require
// grad), named buffers (state that is saved but not trained, e.g. BatchNorm's running
// statistics) and named child modules, all kept in registration order. Modules are
// held by std::shared_ptr, so one child can be shared by two parents.
#include <fmt/format.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "tapegrad/tensor.hpp"

namespace tg::nn {

class Module;
using ModulePtr = std::shared_ptr<Module>;
using NamedTensor = std::pair<std::string, Tensor>;
using NamedModule = std::pair<std::string, ModulePtr>;

// What a non-strict load_state_dict left alone.
struct LoadStateDictResult {
  std::vector<std::string> missing_keys;     // the module's keys absent from the dict
  std::vector<std::string> unexpected_keys;  // the dict's keys the module does not have
};

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The computation. The default throws: a module that only groups others (and is
  // never called) need not override it.
  virtual Tensor forward(const Tensor& x);
  Tensor operator()(const Tensor& x) { return forward(x); }

  // --- printing
  // "Linear", "Sequential", ...
  virtual std::string type_name() const = 0;
  // The constructor arguments worth showing: "784, 256" for Linear(784, 256).
  virtual std::string extra_repr() const { return {}; }
  // type_name(extra_repr()): "Linear(784, 256)".
  std::string name() const;
  // A tree like PyTorch's repr: one line per child, "(name): ...", indented.
  std::string to_string() const;

  // --- registration. Names are non-empty, contain no '.', and are unique among the
  // module's parameters, buffers and children.
  // A parameter is a floating leaf tensor; it is set to require grad. Returns it.
  Tensor register_parameter(const std::string& name, Tensor tensor);
  Tensor register_buffer(const std::string& name, Tensor tensor);
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    static_assert(std::is_base_of_v<Module, M>, "register_module: M must derive from tg::nn::Module");
    add_child(name, module);
    return module;
  }

  // --- train / eval (recursive)
  Module& train(bool on = true);
  Module& eval() { return train(false); }
  bool is_training() const { return training_; }

  // --- traversal. Recursive ones visit the module's own entries first, then each
  // child's in registration order; names are dotted paths ("features.0.weight").
  // A tensor (or module) reachable twice, through a shared child, is listed once.
  std::vector<Tensor> parameters() const;
  std::vector<NamedTensor> named_parameters() const;
  std::vector<Tensor> buffers() const;
  std::vector<NamedTensor> named_buffers() const;
  std::vector<ModulePtr> children() const;
  const std::vector<NamedModule>& named_children() const { return children_; }
  // This module's own entries only (not recursive).
  const std::vector<NamedTensor>& local_parameters() const { return parameters_; }
  const std::vector<NamedTensor>& local_buffers() const { return buffers_; }

  // --- state
  // Parameters and buffers by dotted name, as detached COPIES (not views of the live
  // tensors): a checkpoint taken mid-training keeps its values when training goes on.
  std::map<std::string, Tensor> state_dict() const;
  // Copies each value into the matching parameter or buffer in place (no autograd
  // record), so optimizers holding the parameters keep working. Every key is checked
  // before anything is written: when it throws, the module is unchanged. Shapes and
  // dtypes must match exactly. strict: missing or unexpected keys are an error (the
  // message lists them); otherwise they are returned.
  LoadStateDictResult load_state_dict(const std::map<std::string, Tensor>& state, bool strict = true);

  // Converts every floating parameter and buffer (recursively) to dtype, in place: the
  // tensors keep their identity (layers holding them see the new values) and
  // requires_grad, and lose their .grad(). Integer buffers (counters) are left alone.
  // Optimizers created before hold state of the old dtype: convert first.
  Module& to(DType dtype);
  // Sets requires_grad of every parameter (recursively): false freezes the module.
  Module& requires_grad(bool on);
  // Total number of parameter elements (each tensor once).
  std::int64_t num_parameters() const;

 private:
  void check_new_name(const std::string& name, const char* function) const;
  void add_child(const std::string& name, ModulePtr module);
  bool reaches(const Module* target) const;
  // Every parameter and buffer with its dotted name, duplicates kept (a shared child's
  // tensors appear under each of its paths, as state_dict keys do).
  void collect(const std::string& prefix, bool want_parameters, std::vector<NamedTensor>& out) const;
  void append_tree(std::string& out, int indent) const;

  std::vector<NamedTensor> parameters_;
  std::vector<NamedTensor> buffers_;
  std::vector<NamedModule> children_;
  bool training_ = true;
};

}  // namespace tg::nn

// fmt::format("{}", module) prints module.to_string(), for every Module subclass.
template <class M, class Char>
struct fmt::formatter<M, Char, std::enable_if_t<std::is_base_of_v<tg::nn::Module, M>>>
    : fmt::formatter<std::string_view, Char> {
  template <class FormatContext>
  auto format(const M& module, FormatContext& ctx) const {
    const std::string text = module.to_string();
    return fmt::formatter<std::string_view, Char>::format(text, ctx);
  }
};
