// The autograd-facing methods of Tensor.
#include "tapegrad/autograd.hpp"
#include "autograd_meta.hpp"
#include "gradient_sum.hpp"

namespace tg {

namespace {
const std::shared_ptr<Node> kNoNode;
const Tensor kNoTensor;
}  // namespace

AutogradMeta& Tensor::autograd_meta() const {
  auto& meta = impl().autograd;
  if (!meta) meta = std::make_unique<AutogradMeta>();
  return *meta;
}

bool Tensor::requires_grad() const {
  const auto& meta = impl().autograd;
  return meta && (meta->requires_grad || meta->grad_fn);
}

Tensor& Tensor::requires_grad_(bool on) {
  TG_CHECK(is_floating(dtype()),
           "requires_grad: a tensor of dtype {} cannot require gradients (only f32 and f64 can)",
           dtype_name(dtype()));
  TG_CHECK(is_leaf(),
           "requires_grad: can only change requires_grad of a leaf tensor; this one was made by {}"
           " (use detach() for a new leaf)",
           grad_fn()->name());
  autograd_meta().requires_grad = on;
  return *this;
}

void check_inplace_allowed(const Tensor& t, const char* op) {
  if (!is_grad_enabled() || !t.requires_grad()) return;
  TG_CHECK(!t.is_leaf(),
           "{}: a leaf tensor that requires grad (shape {}) is being used in an in-place operation; write into it "
           "under NoGradGuard (as optimizers and nn::init do) or into t.detach()",
           op, t.shape().str());
  fail("{}: the tensor of shape {} requires grad (it was made by {}) and in-place operations are not recorded on "
       "the tape; compute a new tensor instead, or write under NoGradGuard",
       op, t.shape().str(), t.grad_fn()->name());
}

bool Tensor::is_leaf() const {
  const auto& meta = impl().autograd;
  return !meta || !meta->grad_fn;
}

const std::shared_ptr<Node>& Tensor::grad_fn() const {
  const auto& meta = impl().autograd;
  return meta ? meta->grad_fn : kNoNode;
}

std::uint32_t Tensor::output_nr() const {
  const auto& meta = impl().autograd;
  return meta ? meta->output_nr : 0;
}

const Tensor& Tensor::grad() const {
  const auto& meta = impl().autograd;
  if (!meta) return kNoTensor;
  TG_CHECK(!meta->grad_fn || meta->retains_grad,
           "grad: this tensor is not a leaf (it was made by {}), so backward does not store its "
           ".grad(); call retain_grad() on it before backward, or use tg::grad()",
           meta->grad_fn->name());
  return meta->grad;
}

Tensor& Tensor::mutable_grad() {
  (void)grad();  // same checks
  return autograd_meta().grad;
}

void Tensor::set_grad(const Tensor& g) {
  if (g.defined()) {
    TG_CHECK(g.shape() == shape() && g.dtype() == dtype(),
             "set_grad: gradient of shape {} and dtype {} does not match tensor of shape {} and "
             "dtype {}",
             g.shape().str(), dtype_name(g.dtype()), shape().str(), dtype_name(dtype()));
  }
  autograd_meta().grad = g;
}

void Tensor::set_data(const Tensor& data) {
  TG_CHECK(data.defined(), "set_data: the new data is an undefined tensor");
  TG_CHECK(is_leaf(), "set_data: the tensor was made by {}; only a leaf's data can be replaced (detach() it first)",
           grad_fn()->name());
  TG_CHECK(is_floating(data.dtype()) || !requires_grad(),
           "set_data: the tensor requires grad and the new data has dtype {}; expected f32 or f64",
           dtype_name(data.dtype()));
  TensorImpl& self = impl();
  self.storage = data.storage();
  self.shape = data.shape();
  self.strides = data.strides();
  self.offset = data.offset();
  self.dtype = data.dtype();
  if (self.autograd && self.autograd->grad.defined() &&
      (self.autograd->grad.shape() != self.shape || self.autograd->grad.dtype() != self.dtype))
    self.autograd->grad = Tensor{};
}

void Tensor::backward(const Tensor& gradient, bool retain_graph, bool create_graph) const {
  BackwardOptions options;
  options.retain_graph = retain_graph || create_graph;
  options.create_graph = create_graph;
  std::span<const Tensor> grads;
  if (gradient.defined()) grads = std::span<const Tensor>(&gradient, 1);
  tg::backward(std::span<const Tensor>(this, 1), grads, options);
}

void Tensor::register_hook(GradHook hook) {
  TG_CHECK(requires_grad(), "register_hook: the tensor does not require grad, so no gradient "
                            "will ever reach the hook");
  if (is_leaf()) {
    autograd_meta().hooks.push_back(std::move(hook));
  } else {
    grad_fn()->add_output_hook(output_nr(), std::move(hook));
  }
}

void Tensor::retain_grad() {
  TG_CHECK(requires_grad(), "retain_grad: the tensor does not require grad");
  if (is_leaf()) return;  // leaves keep .grad() anyway
  AutogradMeta& meta = autograd_meta();
  if (meta.retains_grad) return;
  meta.retains_grad = true;
  // The hook holds the impl weakly: the node must not keep its own output alive.
  std::weak_ptr<TensorImpl> weak = impl_;
  grad_fn()->add_output_hook(output_nr(), [weak](const Tensor& g) {
    if (auto impl = weak.lock()) {
      NoGradGuard no_grad;
      Tensor self(impl);
      AutogradMeta& m = self.autograd_meta();
      m.grad = m.grad.defined() ? detail::add_gradients(m.grad, g.detach(), "a tensor that retains its grad")
                                : g.detach().clone();
    }
    return Tensor{};
  });
}

}  // namespace tg
