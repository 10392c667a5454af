// Nodes, saved values, and the helpers ops use to record themselves.
#include <cmath>

#include "tapegrad/autograd.hpp"
#include "autograd_meta.hpp"

namespace tg {

namespace {
thread_local std::uint64_t next_sequence_nr = 0;
thread_local bool grad_enabled = true;
thread_local bool anomaly_enabled = false;
}  // namespace

bool is_grad_enabled() { return grad_enabled; }
void set_grad_enabled(bool enabled) { grad_enabled = enabled; }
bool is_anomaly_enabled() { return anomaly_enabled; }
void set_anomaly_enabled(bool enabled) { anomaly_enabled = enabled; }

Node::Node() : sequence_nr_(next_sequence_nr++) {}

Node::~Node() {
  for (Edge& e : edges_) release_node(std::move(e.node));
}

void Node::add_output_hook(std::uint32_t output_nr, GradHook hook) {
  output_hooks_.emplace_back(output_nr, std::move(hook));
}

void release_node(std::shared_ptr<Node>&& node) {
  // Destroying a node releases its edges and saved tensors, which may destroy their
  // nodes in turn. Instead of recursing, the outermost call drains a work list.
  thread_local std::vector<std::shared_ptr<Node>> pending;
  thread_local bool draining = false;
  if (!node) return;
  if (node.use_count() > 1) {
    node.reset();
    return;
  }
  pending.push_back(std::move(node));
  if (draining) return;
  draining = true;
  while (!pending.empty()) {
    std::shared_ptr<Node> last = std::move(pending.back());
    pending.pop_back();
    last.reset();  // may push more
  }
  draining = false;
}

SavedTensor::SavedTensor(const Tensor& tensor, bool is_output)
    : version_(tensor.version()),
      output_nr_(tensor.output_nr()),
      is_output_(is_output),
      requires_grad_(tensor.requires_grad()) {
  data_ = is_output ? tensor.detach() : tensor;
}

Tensor SavedTensor::unpack(const Node& owner) const {
  TG_CHECK(data_.defined(),
           "backward: trying to backward through the graph a second time: the values saved by "
           "{} were freed after the first backward; pass retain_graph=true to the first backward",
           owner.name());
  TG_CHECK(data_.version() == version_,
           "backward: a tensor saved by {} was modified in place after it was saved (version {} "
           "when saved, {} now); use an out-of-place op or clone() the tensor before modifying it",
           owner.name(), version_, data_.version());
  if (!is_output_ || !requires_grad_) return data_;
  // Re-attach the output to its node so that create_graph sees its history.
  Tensor out = data_.detach();
  AutogradMeta& meta = out.autograd_meta();
  meta.grad_fn = std::const_pointer_cast<Node>(owner.shared_from_this());
  meta.output_nr = output_nr_;
  return out;
}

namespace {
// Tensor::requires_grad of a tensor that may be undefined (false then), read in place:
// every op asks it of each input.
const AutogradMeta* requiring_grad(const Tensor& t) {
  const TensorImpl* impl = t.unsafe_impl();
  if (impl == nullptr) return nullptr;
  const AutogradMeta* meta = impl->autograd.get();
  return meta && (meta->requires_grad || meta->grad_fn) ? meta : nullptr;
}
}  // namespace

bool any_requires_grad(std::initializer_list<const Tensor*> inputs) {
  if (!grad_enabled) return false;
  for (const Tensor* t : inputs)
    if (requiring_grad(*t)) return true;
  return false;
}

bool any_requires_grad(std::span<const Tensor> inputs) {
  if (!grad_enabled) return false;
  for (const Tensor& t : inputs)
    if (requiring_grad(t)) return true;
  return false;
}

Edge edge_to(const Tensor& input) {
  Edge e;
  const AutogradMeta* meta = requiring_grad(input);
  if (meta == nullptr) return e;
  if (meta->grad_fn) {
    e.node = meta->grad_fn;
    e.output_nr = meta->output_nr;
  } else {
    e.leaf = input.impl_ptr();
  }
  return e;
}

void connect_inputs(Node& node, std::initializer_list<const Tensor*> inputs) {
  for (const Tensor* t : inputs) node.edges().push_back(edge_to(*t));
}

void connect_inputs(Node& node, std::span<const Tensor> inputs) {
  for (const Tensor& t : inputs) node.edges().push_back(edge_to(t));
}

void Node::set_output_meta(std::uint32_t output_nr, const Tensor& output) {
  if (output_nr == 0) [[likely]] {
    first_output_meta_.shape = output.shape();
    first_output_meta_.dtype = output.dtype();
    return;
  }
  if (more_output_meta_.size() < output_nr) more_output_meta_.resize(output_nr);
  more_output_meta_[output_nr - 1] = TensorMeta{output.shape(), output.dtype()};
}

void set_history(const Tensor& output, const std::shared_ptr<Node>& node, std::uint32_t output_nr) {
  set_history(output, std::shared_ptr<Node>(node), output_nr);
}

void set_history(const Tensor& output, std::shared_ptr<Node>&& node, std::uint32_t output_nr) {
  node->set_output_meta(output_nr, output);
  AutogradMeta& meta = output.autograd_meta();
  meta.grad_fn = std::move(node);
  meta.output_nr = output_nr;
}

namespace {
thread_local const Node* node_in_backward = nullptr;
}  // namespace

BackwardScope::BackwardScope(const Node* node) : previous_(node_in_backward) { node_in_backward = node; }
BackwardScope::~BackwardScope() { node_in_backward = previous_; }

void check_finite(const Tensor& t, const char* op, const char* phase) {
  if (!t.defined() || !is_floating(t.dtype())) return;
  const std::vector<double> values = t.to_vector<double>();
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (std::isfinite(values[i])) continue;
    // An op run by a backward rule is reported as part of that rule.
    const std::string where = node_in_backward && std::string_view(phase) == "forward"
                                  ? fmt::format("backward of {} (in its {})", node_in_backward->name(), op)
                                  : fmt::format("{} of {}", phase, op);
    fail("anomaly: {} produced {} at element {} of a tensor of shape {}", where,
         std::isnan(values[i]) ? "NaN" : "Inf", i, t.shape().str());
  }
}

}  // namespace tg
