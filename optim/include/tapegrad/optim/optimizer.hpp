#pragma once
// optim::Optimizer: the thin class shell around an optimizer's arithmetic. It owns the
// parameter groups (each with its own complete, validated options; a group can be
// frozen), the per-parameter state, zero_grad(), step() / step(closure), and the state
// dict that checkpoints store.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tapegrad/optim/options.hpp"
#include "tapegrad/tensor.hpp"

namespace tg::optim {

// Parameters that share options. Given to an optimizer, `options` holds overrides of the
// optimizer-wide options (e.g. {{"lr", 1e-4}} for fine-tuned layers); inside it, every
// option of the optimizer. step() skips a frozen group entirely (parameters and state),
// and, as PyTorch, any parameter whose requires_grad is false at the time of the step
// (a frozen layer's weights may be handed over with the rest and unfrozen later).
// A group must hold at least one parameter.
struct ParamGroup {
  std::vector<Tensor> params{};
  Options options{};
  bool frozen = false;
};

// Re-evaluates the loss and returns it (a one-element tensor). It may call backward
// itself (PyTorch's convention) or leave that to the optimizer: step(closure) clears the
// gradients (to undefined) before calling it and runs backward when no parameter got a
// gradient. newton differentiates the loss twice itself, so its closure must not call
// backward.
using Closure = std::function<Tensor()>;

// Everything an optimizer needs to continue a run: scalars are 0-d f64 tensors (so a
// checkpoint can store the whole state as tensors, e.g. in safetensors). Keys:
//   "steps", "param_groups", "group.<g>.params", "group.<g>.frozen",
//   "group.<g>.option.<name>" (booleans as 0/1), "state.<g>.<p>.<buffer>" (per
//   parameter: 0-d counters or tensors of the parameter's shape and dtype), and
//   "global.<name>" (an optimizer's own state, e.g. L-BFGS's history).
using StateDict = std::map<std::string, Tensor>;
// Per-parameter state: named buffers ("m", "v", ...) and 0-d f64 counters ("step").
using ParamState = std::map<std::string, Tensor>;

// Counts (steps, counters) are stored as f64, which holds every integer up to 2^53
// exactly; load_state_dict refuses larger ones.
inline constexpr std::int64_t max_state_count = std::int64_t{1} << 53;

// One entry of the per-parameter state an optimizer keeps, declared with
// Optimizer::declare_state so that load_state_dict checks a state dict completely before
// using it: a buffer has the parameter's shape and dtype; a counter is a 0-d f64 integer
// in [min, max_state_count]. An optional entry exists only when an option asks for it
// (RMSprop's grad_avg when centered); the others exist for every parameter updated.
struct StateSpec {
  enum class Kind : std::uint8_t { buffer, counter };
  std::string name{};
  Kind kind = Kind::buffer;
  std::int64_t min = 0;  // counters only
  bool optional = false;
};
StateSpec buffer_state(std::string name);
StateSpec counter_state(std::string name, std::int64_t min = 0);
StateSpec optional_buffer_state(std::string name);
StateSpec optional_counter_state(std::string name, std::int64_t min = 0);

class Optimizer {
 public:
  // name names the optimizer in errors; schema lists every option it takes. Each group's
  // options override `defaults`, which override the schema's defaults. Parameters must be
  // distinct floating leaf tensors; each group must hold at least one.
  Optimizer(std::string name, std::vector<OptionSpec> schema, std::vector<ParamGroup> groups,
            const Options& defaults = {});
  virtual ~Optimizer();
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  const std::string& name() const { return name_; }
  const std::vector<OptionSpec>& schema() const { return schema_; }
  const Options& defaults() const { return defaults_; }  // optimizer-wide, complete

  // --- parameter groups
  const std::vector<ParamGroup>& param_groups() const { return groups_; }
  std::size_t num_groups() const { return groups_.size(); }
  void add_param_group(ParamGroup group);
  const OptionValue& option(std::size_t group, std::string_view name) const;
  // Validated like the constructor's options. Without a group: every group.
  void set_option(std::size_t group, std::string_view name, const OptionValue& value);
  void set_option(std::string_view name, const OptionValue& value);
  bool has_option(std::string_view name) const;
  double lr(std::size_t group = 0) const { return option(group, "lr").to_number(); }
  void set_lr(std::size_t group, double lr) { set_option(group, "lr", lr); }
  void set_lr(double lr) { set_option("lr", lr); }
  void set_frozen(std::size_t group, bool frozen);

  // --- stepping
  // Clears every parameter's gradient: to undefined (the default; the next backward
  // allocates it) or to zeros in place.
  void zero_grad(bool set_to_none = true);
  // One update from the parameters' current .grad(); a parameter without one, or whose
  // requires_grad is false, is skipped.
  void step();
  // Evaluates the closure (see Closure), updates, and returns the loss of the first
  // evaluation. L-BFGS and newton need this form.
  Tensor step(const Closure& closure);
  std::int64_t steps() const { return steps_; }  // completed step() calls

  // --- state
  const ParamState& state(std::size_t group, std::size_t index) const;
  StateDict state_dict() const;  // copies: later steps do not change it
  // Restores a state_dict() taken from an optimizer of the same kind over parameters of
  // the same shapes in the same groups. Validates everything before changing anything:
  // every key, the counts and flags (integers in range), every option (as set_option
  // does), and each parameter's state against the declared StateSpecs (all of them or
  // none per parameter). Without a declaration, a state entry may be any name holding a
  // tensor of the parameter's shape and dtype or a 0-d f64 value.
  void load_state_dict(const StateDict& dict);
  // The declared per-parameter state, or null when the optimizer declared none.
  const std::vector<StateSpec>* state_specs() const { return state_specs_ ? &*state_specs_ : nullptr; }

 protected:
  // The update from the parameters' .grad(). Called by step() and, by default, by
  // step(closure) after evaluating the closure.
  virtual void step_impl() = 0;
  // Optimizers that re-evaluate the loss (L-BFGS, newton) override this.
  virtual Tensor step_impl(const Closure& closure);
  // Runs the closure with grad mode on after clearing the gradients; calls backward on
  // the loss unless the closure did. Returns the loss.
  Tensor evaluate(const Closure& closure);

  ParamState& mutable_state(std::size_t group, std::size_t index) { return state_.at(group).at(index); }
  // An optimizer's own state outside the per-parameter state ("global.<name>" keys).
  virtual void save_global_state(StateDict& /*dict*/) const {}
  // Reads the "global.*" entries (all of them are passed); an entry it does not know or
  // that is malformed is an error. Must not change anything if it throws.
  virtual void load_global_state(const StateDict& dict);
  // Declares the per-parameter state this optimizer keeps (an empty list: none); called
  // once, from the constructor. Every entry step() creates must be declared.
  void declare_state(std::vector<StateSpec> specs);
  // At most this many groups (L-BFGS and newton treat all parameters as one vector).
  void set_max_groups(std::size_t n);

 private:
  ParamGroup checked_group(ParamGroup group, std::size_t index) const;
  // The state entry `key` (buffer `name` of parameter p of group g) as it will be kept.
  Tensor checked_state_entry(const std::string& who, const std::string& key, const Tensor& value, std::size_t g,
                             std::size_t p, const std::string& name, const Tensor& param) const;

  std::string name_;
  std::vector<OptionSpec> schema_;
  Options defaults_;
  std::vector<ParamGroup> groups_;
  std::vector<std::vector<ParamState>> state_;  // [group][parameter]
  std::int64_t steps_ = 0;
  std::optional<std::vector<StateSpec>> state_specs_;
  std::size_t max_groups_ = std::numeric_limits<std::size_t>::max();
};

// Helpers for optimizers' state.
// The buffer called name, created as zeros of param's shape and dtype on first use
// (filled with `initial` instead, for AdaGrad's initial_accumulator_value).
Tensor& state_buffer(ParamState& state, const std::string& name, const Tensor& param, double initial = 0);
// The parameters of group that step() updates: those whose requires_grad is true.
std::vector<Tensor> trainable_params(const ParamGroup& group);
// Increments the 0-d f64 counter called name (created at 0) and returns the new value.
std::int64_t increment_counter(ParamState& state, const std::string& name);
// A 0-d f64 tensor.
Tensor state_scalar(double value);

}  // namespace tg::optim

namespace tg::optim {
// The parameters as the single group of an optimizer.
inline std::vector<ParamGroup> one_group(std::vector<Tensor> params) {
  std::vector<ParamGroup> groups(1);
  groups[0].params = std::move(params);
  return groups;
}
}  // namespace tg::optim
