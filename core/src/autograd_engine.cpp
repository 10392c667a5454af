// The reverse walk. Sequence numbers are a topological order of the tape, so popping
// the ready node with the largest number guarantees every gradient flowing into it has
// arrived. The loop is iterative: a chain of a million ops needs no deep stack.
#include <algorithm>
#include <queue>

#include "tapegrad/autograd.hpp"
#include "autograd_meta.hpp"
#include "tapegrad/parallel.hpp"
#include "gradient_sum.hpp"

namespace tg {

namespace {

struct LaterFirst {
  bool operator()(const Node* a, const Node* b) const { return a->sequence_nr() < b->sequence_nr(); }
};

Tensor run_hooks(const std::vector<GradHook>& hooks, Tensor grad) {
  for (const GradHook& hook : hooks) {
    Tensor replaced = hook(grad);
    if (replaced.defined()) grad = std::move(replaced);
  }
  return grad;
}

void check_gradient_matches(const Tensor& grad, const Tensor& target, const char* what) {
  TG_CHECK(grad.shape() == target.shape() && grad.dtype() == target.dtype(),
           "backward: {} has shape {} and dtype {}, but the gradient has shape {} and dtype {}", what,
           target.shape().str(), dtype_name(target.dtype()), grad.shape().str(),
           dtype_name(grad.dtype()));
}

// A backward rule must return, for each input, a gradient of that input's shape and
// dtype. Accumulation would otherwise broadcast a wrong shape silently or fail later
// at a leaf whose message cannot name the rule that is wrong.
void check_returned_gradient(const Node& node, std::size_t input, const Tensor& grad, const Edge& edge) {
  const Shape& shape = edge.node ? edge.node->output_meta(edge.output_nr).shape : edge.leaf->shape;
  const DType dtype = edge.node ? edge.node->output_meta(edge.output_nr).dtype : edge.leaf->dtype;
  if (grad.dtype() == dtype && grad.shape() == shape) [[likely]]
    return;
  fail("backward: {} returned a gradient of shape {} and dtype {} for its input {}, which has shape "
       "{} and dtype {}: its backward rule must return one gradient per input, shaped like that "
       "input (reduce a broadcast gradient with sum_to)",
       node.name(), grad.shape().str(), dtype_name(grad.dtype()), input, shape.str(), dtype_name(dtype));
}

}  // namespace

class BackwardEngine {
 public:
  BackwardEngine(BackwardOptions options, std::span<const Tensor> capture)
      : options_(options), capture_(capture.begin(), capture.end()), captured_(capture.size()) {}

  void seed(const Tensor& output, Tensor grad) {
    if (const auto& node = output.grad_fn()) {
      add_to_node(*node, output.output_nr(), std::move(grad));
    } else {
      deliver_to_leaf(output.impl_ptr(), std::move(grad));
    }
  }

  void run() {
    GradModeGuard mode(options_.create_graph);
    while (!ready_.empty()) {
      Node* node = ready_.top();
      ready_.pop();
      node->queued_ = false;
      TensorList grads = std::move(node->pending_);
      node->pending_.clear();
      run_output_hooks(*node, grads);
      capture_node_outputs(*node, grads);
      TG_CHECK(!node->released_,
               "backward: trying to backward through the graph a second time: the values saved "
               "by {} were freed after the first backward; pass retain_graph=true to the first "
               "backward",
               node->name());
      TensorList input_grads = apply(*node, std::move(grads));
      if (!options_.retain_graph) {
        node->release_saved();
        node->released_ = true;
      }
      TG_CHECK(input_grads.size() == node->edges_.size(),
               "backward: {} returned {} gradients for {} inputs", node->name(), input_grads.size(),
               node->edges_.size());
      for (std::size_t i = 0; i < input_grads.size(); ++i) {
        Edge& edge = node->edges_[i];
        Tensor& g = input_grads[i];
        if (!edge.valid() || !g.defined()) continue;
        check_returned_gradient(*node, i, g, edge);
        if (is_anomaly_enabled()) check_finite(g, node->name(), "backward");
        if (edge.node) {
          add_to_node(*edge.node, edge.output_nr, std::move(g));
        } else {
          deliver_to_leaf(edge.leaf, std::move(g));
        }
      }
    }
  }

  std::vector<Tensor> take_captured() { return std::move(captured_); }

 private:
  // Returned, not assigned: the gradients are built in place.
  static TensorList apply(Node& node, TensorList&& grads) {
    if (is_anomaly_enabled()) {
      BackwardScope scope(&node);
      return node.apply(std::move(grads));
    }
    return node.apply(std::move(grads));
  }

  void add_to_node(Node& node, std::uint32_t output_nr, Tensor grad) {
    if (node.pending_.size() < node.num_outputs()) node.pending_.resize(node.num_outputs());
    Tensor& slot = node.pending_[output_nr];
    slot = slot.defined() ? detail::add_gradients(slot, grad, node.name()) : std::move(grad);
    if (!node.queued_) {
      node.queued_ = true;
      ready_.push(&node);
    }
  }

  void run_output_hooks(Node& node, TensorList& grads) {
    for (auto& [output_nr, hook] : node.output_hooks_) {
      if (output_nr >= grads.size() || !grads[output_nr].defined()) continue;
      Tensor replaced = hook(grads[output_nr]);
      if (replaced.defined()) grads[output_nr] = std::move(replaced);
    }
  }

  void capture_node_outputs(const Node& node, const TensorList& grads) {
    for (std::size_t i = 0; i < capture_.size(); ++i) {
      if (capture_[i].grad_fn().get() == &node && capture_[i].output_nr() < grads.size())
        accumulate(captured_[i], grads[capture_[i].output_nr()]);
    }
  }

  void deliver_to_leaf(const std::shared_ptr<TensorImpl>& leaf_impl, Tensor grad) {
    Tensor leaf(leaf_impl);
    AutogradMeta& meta = leaf.autograd_meta();
    grad = run_hooks(meta.hooks, std::move(grad));
    if (!capture_.empty()) {  // tg::grad(): never touch .grad()
      for (std::size_t i = 0; i < capture_.size(); ++i)
        if (capture_[i].same(leaf)) accumulate(captured_[i], grad);
      return;
    }
    check_gradient_matches(grad, leaf, "a leaf tensor");
    if (!meta.grad.defined()) {
      // Store the gradient itself when nothing else can see it; otherwise a copy, so
      // that a later in-place accumulation cannot write into someone else's tensor.
      const bool exclusive = grad.impl_ptr().use_count() == 1 &&
                             grad.storage().use_count() == 1 && grad.is_contiguous();
      meta.grad = (exclusive || options_.create_graph) ? grad : grad.detach().clone();
    } else if (options_.create_graph) {
      meta.grad = detail::add_gradients(meta.grad, grad, "a leaf tensor");
    } else {
      NoGradGuard no_grad;
      meta.grad = detail::add_gradients(meta.grad, grad, "a leaf tensor");
    }
  }

  static void accumulate(Tensor& slot, const Tensor& grad) {
    slot = slot.defined() ? detail::add_gradients(slot, grad, "an input of grad()") : grad;
  }

  BackwardOptions options_;
  std::vector<Tensor> capture_;
  std::vector<Tensor> captured_;
  std::priority_queue<Node*, std::vector<Node*>, LaterFirst> ready_;
};

namespace {

std::vector<Tensor> run_backward(std::span<const Tensor> outputs, std::span<const Tensor> grad_outputs,
                                 BackwardOptions options, std::span<const Tensor> capture,
                                 const char* api) {
  TG_CHECK(grad_outputs.empty() || grad_outputs.size() == outputs.size(),
           "{}: {} outputs but {} output gradients", api, outputs.size(), grad_outputs.size());
  adapt_num_threads();
  BackwardEngine engine(options, capture);
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& out = outputs[i];
    TG_CHECK(out.requires_grad(),
             "{}: output {} (shape {}) does not require grad and has no grad_fn: no input that "
             "requires grad was used to compute it (or it was computed under NoGradGuard)",
             api, i, out.shape().str());
    Tensor g = grad_outputs.empty() ? Tensor{} : grad_outputs[i];
    if (!g.defined()) {
      TG_CHECK(out.numel() == 1,
               "{}: output of shape {} is not a scalar; pass a gradient of the same shape "
               "(backward(gradient)) or reduce it first (e.g. sum)",
               api, out.shape().str());
      g = ones_like(out);
    } else {
      check_gradient_matches(g, out, "the output");
    }
    engine.seed(out, std::move(g));
  }
  engine.run();
  return engine.take_captured();
}

}  // namespace

void backward(std::span<const Tensor> outputs, std::span<const Tensor> grad_outputs,
              BackwardOptions options) {
  run_backward(outputs, grad_outputs, options, {}, "backward");
}

std::vector<Tensor> grad(std::span<const Tensor> outputs, std::span<const Tensor> inputs,
                         std::span<const Tensor> grad_outputs, BackwardOptions options,
                         bool allow_unused) {
  TG_CHECK(!inputs.empty(), "grad: no inputs given");
  for (std::size_t i = 0; i < inputs.size(); ++i)
    TG_CHECK(inputs[i].requires_grad(), "grad: input {} (shape {}) does not require grad", i,
             inputs[i].shape().str());
  std::vector<Tensor> result = run_backward(outputs, grad_outputs, options, inputs, "grad");
  for (std::size_t i = 0; i < result.size(); ++i)
    TG_CHECK(allow_unused || result[i].defined(),
             "grad: input {} (shape {}) was not used to compute the outputs; pass "
             "allow_unused=true to get an undefined tensor for it",
             i, inputs[i].shape().str());
  return result;
}

}  // namespace tg
