// Copies: clone, contiguous and dtype conversion. Core owns them (the engine and
// gradcheck copy tensors, and core builds without ops). Their gradient passes through,
// converted back to the input's dtype for to().
#include "tapegrad/autograd.hpp"
#include "tapegrad/record_node.hpp"
#include "tapegrad/tensor_iteration.hpp"

namespace tg {

namespace {

class CopyNode final : public Node {
 public:
  CopyNode(const char* name, DType input_dtype) : name_(name), input_dtype_(input_dtype) {}
  const char* name() const override { return name_; }
  TensorList apply(TensorList&& grads) override {
    TensorList out;
    out.push_back(grads[0].dtype() == input_dtype_ ? grads[0] : grads[0].to(input_dtype_));
    return out;
  }

 private:
  const char* name_;
  DType input_dtype_;
};

Tensor copy_as(const Tensor& x, DType dtype, const char* name) {
  Tensor out = empty(x.shape(), dtype);
  copy_elements(out, x);
  if (is_floating(dtype)) record_node<CopyNode>(out, {&x}, name, x.dtype());
  return out;
}

}  // namespace

Tensor Tensor::clone() const { return copy_as(*this, dtype(), "clone"); }

Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  return copy_as(*this, dtype(), "contiguous");
}

Tensor Tensor::to(DType target) const {
  if (target == dtype()) return *this;
  TG_CHECK(is_floating(target) || !requires_grad(),
           "to: converting a tensor that requires grad to {} would cut it from the tape; detach() it first",
           dtype_name(target));
  return copy_as(*this, target, "to");
}

}  // namespace tg
