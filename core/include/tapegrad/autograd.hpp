#pragma once
// The tape. An op whose inputs need gradients records a Node: its backward rule, the
// edges to the nodes (or leaves) that produced its inputs, and the values it saved.
// Nodes carry a per-thread sequence number; recording order is a topological order,
// so backward pops ready nodes by decreasing sequence number (see autograd_engine.cpp).
#include <cstdint>
#include <memory>
#include <initializer_list>
#include <span>
#include <vector>

#include "tapegrad/small_vector.hpp"
#include "tapegrad/tensor.hpp"

namespace tg {

// Where the gradient of one input goes: the node that produced it (and which of that
// node's outputs it was), or the leaf tensor that accumulates it. The engine checks the
// gradient sent along an edge against the shape and dtype of what the edge points to:
// the leaf itself, or the producing node's output_meta.
struct Edge {
  std::shared_ptr<Node> node;
  std::shared_ptr<TensorImpl> leaf;
  std::uint32_t output_nr = 0;
  bool valid() const { return node || leaf; }
};

// The shape and dtype of a node's output, recorded by set_history.
struct TensorMeta {
  Shape shape;
  DType dtype = DType::f32;
};

using TensorList = SmallVector<Tensor, 2>;

// A value a backward rule needs. Remembers the storage version at save time and
// refuses to unpack if an in-place op changed it since.
class SavedTensor {
 public:
  SavedTensor() = default;
  // is_output: the tensor is an output of the node saving it (kept without its
  // history to avoid a node -> tensor -> node cycle; restored on unpack).
  SavedTensor(const Tensor& tensor, bool is_output);
  Tensor unpack(const Node& owner) const;
  void release() { data_ = Tensor{}; }
  bool defined() const { return data_.defined(); }

 private:
  Tensor data_;
  std::uint64_t version_ = 0;
  std::uint32_t output_nr_ = 0;
  bool is_output_ = false;
  bool requires_grad_ = false;
};

class Node : public std::enable_shared_from_this<Node> {
 public:
  Node();
  virtual ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // The op's name, for error messages ("tensor saved by matmul was modified ...").
  virtual const char* name() const = 0;
  // Given the gradient of each output, returns the gradient of each input (one per
  // edge; an undefined tensor means "no gradient"). Written with tapegrad ops, so it
  // is itself recorded when backward runs with create_graph.
  virtual TensorList apply(TensorList&& grad_outputs) = 0;
  // Drops saved values once backward has used them (unless retain_graph).
  virtual void release_saved() {}

  std::uint64_t sequence_nr() const { return sequence_nr_; }
  std::uint32_t num_outputs() const { return num_outputs_; }
  SmallVector<Edge, 2>& edges() { return edges_; }
  const SmallVector<Edge, 2>& edges() const { return edges_; }
  bool released() const { return released_; }
  // Shape and dtype of output output_nr, as set_history recorded them: the only
  // gradient the engine accepts for that output.
  const TensorMeta& output_meta(std::uint32_t output_nr) const {
    return output_nr == 0 ? first_output_meta_ : more_output_meta_[output_nr - 1];
  }
  void set_output_meta(std::uint32_t output_nr, const Tensor& output);

  // Hooks on non-leaf tensors produced by this node (by output number).
  void add_output_hook(std::uint32_t output_nr, GradHook hook);

 protected:
  std::uint32_t num_outputs_ = 1;

 private:
  friend class BackwardEngine;
  std::uint64_t sequence_nr_;
  SmallVector<Edge, 2> edges_;
  // Most nodes have one output: its metadata is a plain member, set without a branch
  // on a container's size on every recorded op.
  TensorMeta first_output_meta_;
  std::vector<TensorMeta> more_output_meta_;
  std::vector<std::pair<std::uint32_t, GradHook>> output_hooks_;
  // Engine scratch: gradients accumulated for this node's outputs during backward.
  TensorList pending_;
  bool queued_ = false;
  bool released_ = false;
};

// --- grad mode (per thread)
bool is_grad_enabled();
void set_grad_enabled(bool enabled);

// In-place writes (fill_, copy_, uniform_, ...) are not recorded on the tape. With grad
// mode on, writing into a tensor that requires grad would silently give wrong gradients
// (a leaf: the values its consumers saw are gone; a non-leaf: its history ends
// unrecorded), so this throws, as PyTorch does for leaves; under NoGradGuard (optimizers,
// nn::init, load_state_dict) or on t.detach() the write is allowed. op names the call.
void check_inplace_allowed(const Tensor& t, const char* op);

class NoGradGuard {
 public:
  NoGradGuard() : previous_(is_grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

class GradModeGuard {
 public:
  explicit GradModeGuard(bool enabled) : previous_(is_grad_enabled()) { set_grad_enabled(enabled); }
  ~GradModeGuard() { set_grad_enabled(previous_); }
  GradModeGuard(const GradModeGuard&) = delete;
  GradModeGuard& operator=(const GradModeGuard&) = delete;

 private:
  bool previous_;
};

// --- anomaly mode (per thread): every op checks its outputs (forward) and every
// backward rule its gradients for NaN/Inf and throws naming the first offender.
bool is_anomaly_enabled();
void set_anomaly_enabled(bool enabled);

class AnomalyModeGuard {
 public:
  AnomalyModeGuard() : previous_(is_anomaly_enabled()) { set_anomaly_enabled(true); }
  ~AnomalyModeGuard() { set_anomaly_enabled(previous_); }
  AnomalyModeGuard(const AnomalyModeGuard&) = delete;
  AnomalyModeGuard& operator=(const AnomalyModeGuard&) = delete;

 private:
  bool previous_;
};

// Marks the node whose backward rule is running (anomaly messages name it).
class BackwardScope {
 public:
  explicit BackwardScope(const Node* node);
  ~BackwardScope();
  BackwardScope(const BackwardScope&) = delete;
  BackwardScope& operator=(const BackwardScope&) = delete;

 private:
  const Node* previous_;
};

// Throws naming op if t holds NaN or Inf (used by anomaly mode).
void check_finite(const Tensor& t, const char* op, const char* phase);

// --- running backward
struct BackwardOptions {
  bool retain_graph = false;
  bool create_graph = false;
};

// Accumulates d(sum_i <grad_outputs[i], outputs[i]>)/d(leaf) into each leaf's .grad().
// grad_outputs may be empty (or hold undefined tensors) only for scalar outputs.
void backward(std::span<const Tensor> outputs, std::span<const Tensor> grad_outputs = {},
              BackwardOptions options = {});

// Returns d(sum_i <grad_outputs[i], outputs[i]>)/d(inputs[j]) without touching .grad().
// An input the outputs do not depend on gets an undefined tensor unless allow_unused
// is false (then it is an error).
std::vector<Tensor> grad(std::span<const Tensor> outputs, std::span<const Tensor> inputs,
                         std::span<const Tensor> grad_outputs = {}, BackwardOptions options = {},
                         bool allow_unused = false);
inline std::vector<Tensor> grad(const Tensor& output, std::span<const Tensor> inputs,
                                bool create_graph = false) {
  BackwardOptions options;
  options.create_graph = create_graph;
  options.retain_graph = create_graph;
  return grad(std::span<const Tensor>(&output, 1), inputs, {}, options);
}

// Braced lists: tg::backward({a, b}), tg::grad({y}, {x, w}), tg::grad(loss, {x}, true).
// (std::span has no initializer_list constructor before C++26.)
inline std::span<const Tensor> as_span(std::initializer_list<Tensor> tensors) {
  return {tensors.begin(), tensors.size()};
}
inline void backward(std::initializer_list<Tensor> outputs, std::initializer_list<Tensor> grad_outputs = {},
                     BackwardOptions options = {}) {
  backward(as_span(outputs), as_span(grad_outputs), options);
}
inline std::vector<Tensor> grad(std::initializer_list<Tensor> outputs, std::initializer_list<Tensor> inputs,
                                std::initializer_list<Tensor> grad_outputs = {}, BackwardOptions options = {},
                                bool allow_unused = false) {
  return grad(as_span(outputs), as_span(inputs), as_span(grad_outputs), options, allow_unused);
}
inline std::vector<Tensor> grad(const Tensor& output, std::initializer_list<Tensor> inputs,
                                bool create_graph = false) {
  return grad(output, as_span(inputs), create_graph);
}

// --- helpers for ops that record themselves
// True when grad mode is on and any input requires grad.
bool any_requires_grad(std::initializer_list<const Tensor*> inputs);
bool any_requires_grad(std::span<const Tensor> inputs);
// The edge through which the gradient of input reaches the rest of the graph.
Edge edge_to(const Tensor& input);
// Appends one edge per input to node (an invalid edge for inputs without grad).
void connect_inputs(Node& node, std::initializer_list<const Tensor*> inputs);
void connect_inputs(Node& node, std::span<const Tensor> inputs);
// Makes output the output_nr-th result of node (sets its grad_fn).
void set_history(const Tensor& output, const std::shared_ptr<Node>& node,
                 std::uint32_t output_nr = 0);
// The same, taking over the caller's handle (one reference count update less per op).
void set_history(const Tensor& output, std::shared_ptr<Node>&& node, std::uint32_t output_nr = 0);

// Releases a node iteratively: destroying a chain of a million nodes must not
// recurse a million frames deep.
void release_node(std::shared_ptr<Node>&& node);

}  // namespace tg
