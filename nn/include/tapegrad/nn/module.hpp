#pragma once
// nn::Module: a layer or a model. It owns named parameters (leaf tensors that require
// grad), named buffers (state that is saved but not trained, e.g. BatchNorm's running
// statistics) and named child modules, all kept in registration order. Modules are
// held by std::shared_ptr, so one child can be shared by two parents.
//
// Inputs. forward(x) is the one-input form every layer overrides and every caller
// holding a Module& (Sequential, the trainer, the model summary) uses: one virtual
// call, nothing else. A module with several inputs (a siamese net: forward(a, b))
// derives from MultiInputModule<Self> (tapegrad/nn/multi_input_module.hpp) and writes
// forward with the parameters it needs. LibTorch has no virtual forward at all: each
// module's forward is called statically, and AnyModule erases the signature behind a
// runtime arity check; PyTorch's forward(*args) checks the arity at the call. Here:
//   - module(a, b, ...) on the derived type calls its forward statically, and a wrong
//     number of inputs does not compile;
//   - module(a, b, ...) on a Module& (and forward_inputs(span)) goes through one
//     virtual call, forward_inputs, and a wrong number of inputs throws tg::Error
//     naming the module and the input counts its forward takes.
// A MultiInputModule that takes only several inputs leaves forward(x) to this class,
// which throws that same error.
#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
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

// enable_shared_from_this: named_modules() lists the root as a ModulePtr that keeps it alive.
class Module : public std::enable_shared_from_this<Module> {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The computation. The default throws: a module that only groups others (and is
  // never called) need not override it.
  virtual Tensor forward(const Tensor& x);
  Tensor operator()(const Tensor& x) { return forward(x); }
  // Several inputs, through forward_inputs.
  template <class... Rest>
    requires(std::is_convertible_v<const Rest&, const Tensor&> && ...)
  Tensor operator()(const Tensor& a, const Tensor& b, const Rest&... rest) {
    const Tensor inputs[] = {a, b, static_cast<const Tensor&>(rest)...};
    return forward_inputs(inputs);
  }
  // Any number of inputs, for code that holds a Module& and a list of inputs. The
  // default calls forward(inputs[0]) for one input and throws for any other count.
  virtual Tensor forward_inputs(std::span<const Tensor> inputs);
  // The input counts forward takes, ascending: {1} unless overridden (MultiInputModule
  // finds them from its forward overloads; containers without forward return {}).
  virtual std::vector<std::size_t> forward_arities() const { return {1}; }

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
  // module's parameters, buffers and children (registering a taken name is an error:
  // replace_module replaces a child).
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
  // This module first (named ""), then every descendant depth first in registration
  // order with its dotted path ("features", "features.0"); a module reachable through
  // several paths is listed once, under the first. A root not held by a shared_ptr is
  // listed by a non-owning pointer (valid while the module lives).
  std::vector<NamedModule> named_modules() const;
  std::vector<ModulePtr> modules() const;
  // Calls fn on every module of the tree once, children before their parent (as
  // PyTorch's Module.apply), the root last. Returns *this.
  Module& apply(const std::function<void(Module&)>& fn);
  // The descendant at a dotted path ("features.2"); "" is this module. An unknown part
  // is an error that lists the children there (with a did-you-mean).
  ModulePtr submodule(const std::string& path) const;
  // Replaces the descendant at a dotted path by module, in the same place of its
  // parent's children (so the order of parameters and state_dict keys is kept); returns
  // the old one. Errors: an empty or unknown path, a null module, a module that
  // contains the parent (the tree would contain itself), and a replacement the parent
  // refuses (see replacing_child). Sequential, ModuleList, ModuleDict, Residual and
  // StochasticDepth run the new child; a user module that keeps a child in a typed
  // member must update it in replacing_child, or the member keeps running the old one.
  ModulePtr replace_module(const std::string& path, ModulePtr module);

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

 protected:
  // Called by replace_module before the child `name` becomes module (non-null, no
  // cycle): a layer keeping the child in a typed member updates the member, or throws
  // to refuse (nothing is changed then). The default accepts.
  virtual void replacing_child(const std::string& name, const ModulePtr& module);
  // For containers: makes children the module's children, in that order, after checking
  // every name (as register_module does) and every module (non-null, no cycle); when
  // it throws, nothing is changed. function names the caller in messages.
  void set_children(std::vector<NamedModule> children, const char* function);
  // Throws the error for a call of forward with `given` inputs: "Siamese(): forward
  // takes 2 inputs, given 1", or "forward is not implemented" when the count is one
  // forward_arities() lists (its forward was not written).
  [[noreturn]] void fail_forward_arity(std::size_t given) const;

 private:
  // Non-empty, no '.', not the name of a parameter or buffer.
  void check_name(const std::string& name, const char* function) const;
  // check_name, and not the name of a child.
  void check_new_name(const std::string& name, const char* function) const;
  void add_child(const std::string& name, ModulePtr module);
  bool reaches(const Module* target) const;
  // Every parameter and buffer with its dotted name, duplicates kept (a shared child's
  // tensors appear under each of its paths, as state_dict keys do).
  void collect(const std::string& prefix, bool want_parameters, std::vector<NamedTensor>& out) const;
  void append_tree(std::string& out, int indent) const;
  void check_child(const std::string& name, const ModulePtr& module, const char* function) const;
  // The index in children_ of the child `name`; an error listing the children otherwise.
  std::size_t child_index(const std::string& name, const std::string& path, const char* function) const;

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
