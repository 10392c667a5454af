#pragma once
// Per-tensor autograd state, created only for tensors that take part in autograd.
#include <memory>
#include <vector>

#include "tapegrad/tensor.hpp"

namespace tg {

struct AutogradMeta {
  bool requires_grad = false;     // set by the user on leaves
  std::shared_ptr<Node> grad_fn;  // the node that produced this tensor; null for leaves
  std::uint32_t output_nr = 0;
  Tensor grad;                    // accumulated gradient (leaves, or retain_grad())
  std::vector<GradHook> hooks;    // hooks of a leaf, run before accumulation
  bool retains_grad = false;
};

}  // namespace tg
