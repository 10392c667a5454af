#pragma once
// How to write a differentiable op: the one pattern every op file follows
// (docs/adding_an_op.md has a worked example).
//
// An op is a struct. Its data members are its parameters (an axis, a shape, options)
// and whatever forward learns that backward needs apart from saved tensors (input
// shapes). It declares:
//
//   name              `static constexpr const char* name = "mul";` (or a plain
//                     `const char*` member when one struct serves several names)
//   num_saved         optional, default 0: how many tensors backward needs (slots
//                     0 .. num_saved-1)
//   forward(in...)    the checks (tg::Error naming the op, what was given and what was
//                     expected) and the kernel calls (ops/kernels/); returns the output,
//                     a Tensor or std::array<Tensor, M> for M outputs. May set members
//                     (a shape, a mask) that backward reads.
//   save(ctx, in..., out)
//                     optional: ctx.save(slot, t) / ctx.save_output(slot, out) for each
//                     tensor backward needs (out: what forward returned). Runs only when
//                     the op is recorded, after its edges exist, so
//                     ctx.needs_input_grad(i) tells which gradients backward will be
//                     asked for and save can keep only what those need. It may also
//                     set members only backward reads (input shapes). A tensor that
//                     is not a differentiable input (integer indices) is a member that
//                     save moves into a slot, so that backward still checks its version.
//   backward(ctx, g)  the gradient of each input from the gradient g of the output: a
//                     TensorList, one entry per input, undefined = no gradient
//                     (ops::grads(ga, gb) makes one). Written WITH TAPEGRAD OPS, so that
//                     create_graph differentiates it again. ctx.saved(slot) unpacks a
//                     saved tensor (refusing when an in-place op changed it since);
//                     ctx.needs_input_grad(i) is false for inputs that need none. An op
//                     with M outputs takes the TensorList of their M gradients instead of
//                     g (undefined: nothing used that output).
//   release()         optional: drops tensor members once backward has run.
//
// and, in the same file, its op-table entries (`const OpRegistration reg_x(...)`, see
// tapegrad/ops/op_table.hpp), which the test suite and `tapegrad gradcheck` sweep.
//
// The public function checks what it must before building the op, then is one line:
// `Tensor mul(a, b) { return ops::apply(Binary<Mul>{}, a, b); }`. ops::apply runs
// forward; when an input needs a gradient it records an OpNode<Op> holding the op by
// value (pool-allocated like every node: no std::function, no allocation beyond the
// node itself), connects the inputs and calls save; in anomaly mode it checks the
// output for NaN/Inf naming the op. An op over a list of inputs (concat, l2_penalty)
// takes a std::span<const Tensor> instead of separate tensors.
//
// The struct is a C++ counterpart of torch.autograd.Function (forward,
// ctx.save_for_backward, ctx.needs_input_grad, backward). The public one, for users'
// own functions, is tg::Function (tapegrad/function.hpp) on the same Node, SavedTensor
// and set_history; the built-in ops keep this pattern, whose saved slots and argument
// types are fixed at compile time (no list of inputs, no context to allocate).
//
// A backward rule that has both a fused kernel (faster, not differentiable) and a
// differentiable composition of ops chooses between them with fused_or_composed
// below, the one rule for that choice.
#include <array>
#include <cassert>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <utility>

#include "op_util.hpp"
#include "tapegrad/memory_pool.hpp"
#include "tapegrad/profiler.hpp"

namespace tg::ops {

// The context an op sees at save and backward time (the counterpart of ctx in
// torch.autograd.Function): a view of its node and its saved slots, cheap to copy.
class OpContext {
 public:
  OpContext(const Node& node, std::span<SavedTensor> saved) : node_(node), saved_(saved) {}

  // Whether backward must return a gradient for input i (it requires grad).
  bool needs_input_grad(std::size_t i) const { return node_.edges()[i].valid(); }
  // Saves an input (or any tensor that is not this op's output) for backward.
  void save(std::size_t slot, const Tensor& t) {
    assert(slot < saved_.size() && "save: slot >= the op's num_saved");
    saved_[slot] = SavedTensor(t, /*is_output=*/false);
  }
  // Saves the op's own output (kept without its history, restored on unpack).
  void save_output(std::size_t slot, const Tensor& out) {
    assert(slot < saved_.size() && "save_output: slot >= the op's num_saved");
    saved_[slot] = SavedTensor(out, /*is_output=*/true);
  }
  // A saved tensor, version-checked; undefined when the slot was not saved.
  Tensor saved(std::size_t slot) const { return saved_[slot].defined() ? saved_[slot].unpack(node_) : Tensor{}; }
  // The same for a SavedTensor the op holds itself (an op over a list of inputs that
  // saves one per input keeps them in a vector member and drops them in release()).
  Tensor unpack(const SavedTensor& s) const { return s.unpack(node_); }

 private:
  const Node& node_;
  std::span<SavedTensor> saved_;
};

// The gradients backward returns, one per input in order: `return ops::grads(ga, gb);`.
template <class... G>
  requires(std::convertible_to<G, Tensor> && ...)
TensorList grads(G&&... g) {
  TensorList out;
  (out.push_back(std::forward<G>(g)), ...);
  return out;
}

template <class Op>
constexpr std::size_t num_saved() {
  if constexpr (requires { Op::num_saved; }) {
    return Op::num_saved;
  } else {
    return 0;
  }
}

// The outputs forward returns: one Tensor, or std::array<Tensor, M> for an op with M
// outputs (each output i is output_nr i of the node).
template <class Out>
struct Outputs;
template <>
struct Outputs<Tensor> {
  static constexpr std::uint32_t count = 1;
  static void record(const Tensor& out, std::shared_ptr<Node>&& node) { set_history(out, std::move(node)); }
  static void check(const char* name, const Tensor& out) { check_forward(name, out); }
};
template <std::size_t M>
struct Outputs<std::array<Tensor, M>> {
  static constexpr std::uint32_t count = M;
  static void record(const std::array<Tensor, M>& outs, std::shared_ptr<Node>&& node) {
    for (std::uint32_t i = 0; i + 1 < M; ++i) set_history(outs[i], node, i);
    set_history(outs[M - 1], std::move(node), M - 1);
  }
  static void check(const char* name, const std::array<Tensor, M>& outs) {
    for (const Tensor& out : outs) check_forward(name, out);
  }
};

// The node recorded for one application of Op: the op by value and its saved tensors.
// Out is what Op's forward returns.
template <class Op, class Out = Tensor>
class OpNode final : public Node {
 public:
  explicit OpNode(Op&& op) : op_(std::move(op)) { num_outputs_ = Outputs<Out>::count; }
  const char* name() const override { return op_.name; }
  // One output: backward(ctx, g). Several: backward(ctx, grads), one gradient per
  // output, undefined for an output nothing depended on.
  TensorList apply(TensorList&& grads) override {
    ProfileScope scope(op_.name, "backward");
    if constexpr (Outputs<Out>::count == 1) {
      return op_.backward(context(), grads[0]);
    } else {
      grads.resize(Outputs<Out>::count);
      return op_.backward(context(), grads);
    }
  }
  void release_saved() override {
    for (auto& s : saved_) s.release();
    if constexpr (requires(Op& op) { op.release(); }) op_.release();
  }
  OpContext context() { return OpContext(*this, saved_); }
  Op& op() { return op_; }

 private:
  Op op_;
  std::array<SavedTensor, num_saved<Op>()> saved_;
};

namespace detail {

// Calls Op::save when the op declares one (detected by name, so a save whose signature
// does not match is a compile error, never a silently skipped save).
template <class Op, class Out, class... In>
void save_for_backward(OpNode<Op, Out>& node, const In&... inputs_and_outputs) {
  if constexpr (requires { &Op::save; }) {
    OpContext ctx = node.context();
    node.op().save(ctx, inputs_and_outputs...);
  }
}

template <class Out, class Op>
std::shared_ptr<OpNode<Op, Out>> make_node(Op&& op) {
  return std::allocate_shared<OpNode<Op, Out>>(pool::Allocator<OpNode<Op, Out>>{}, std::move(op));
}

}  // namespace detail

// Runs op on tensor inputs (undefined ones, such as an absent bias, are allowed) and
// records it when one of them needs a gradient. Returns what forward returns.
template <class Op, class... In>
  requires(std::same_as<In, Tensor> && ...)
auto apply(Op op, const In&... inputs) {
  using Out = decltype(op.forward(inputs...));
  const char* name = op.name;
  ProfileScope scope(name);
  Out out = op.forward(inputs...);
  if (any_requires_grad({&inputs...})) {
    auto node = detail::make_node<Out>(std::move(op));
    auto& recorded = *node;  // kept alive by the outputs' history
    connect_inputs(recorded, {&inputs...});
    Outputs<Out>::record(out, std::move(node));
    detail::save_for_backward(recorded, inputs..., out);
  }
  Outputs<Out>::check(name, out);
  return out;
}

// The same for an op over a list of inputs (concat, stack): one edge per element.
template <class Op>
auto apply(Op op, std::span<const Tensor> inputs) {
  using Out = decltype(op.forward(inputs));
  const char* name = op.name;
  ProfileScope scope(name);
  Out out = op.forward(inputs);
  if (any_requires_grad(inputs)) {
    auto node = detail::make_node<Out>(std::move(op));
    auto& recorded = *node;  // kept alive by the outputs' history
    connect_inputs(recorded, inputs);
    Outputs<Out>::record(out, std::move(node));
    detail::save_for_backward(recorded, inputs, out);
  }
  Outputs<Out>::check(name, out);
  return out;
}

// The one rule for backward rules with two forms: a fused kernel (one pass, often one
// oneDNN call, but not itself differentiable) and a composition of tapegrad ops
// (differentiable, so create_graph can take a second derivative through it).
//
// The composition is needed exactly when the gradient being computed will be recorded:
// grad mode is on during backward only under create_graph, and even then nothing is
// recorded unless a tensor the gradient depends on (the incoming gradient, a saved
// input or output) requires grad. In every other case (every ordinary backward) the
// fused kernel runs. Both forms compute the same function; they may round differently.
//
//   return fused_or_composed({&g, &y}, [&] { return kernel(g, y); },
//                            [&] { return y * (g - sum(g * y, {d}, true)); });
//
// depends_on lists the tensors the gradient depends on (undefined ones are skipped).
template <class Fused, class Composed>
auto fused_or_composed(std::initializer_list<const Tensor*> depends_on, Fused&& fused, Composed&& composed) {
  return any_requires_grad(depends_on) ? composed() : fused();
}

}  // namespace tg::ops
