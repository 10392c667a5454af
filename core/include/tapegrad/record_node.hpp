#pragma once
// Recording one node for one output: the call every differentiable function (core's
// copies and gradient accumulation, every op in ops/) makes after computing its result.
#include <memory>
#include <utility>

#include "tapegrad/autograd.hpp"
#include "tapegrad/memory_pool.hpp"

namespace tg {

// Records NodeT (constructed from args) as the producer of out when grad mode is on and
// any input needs a gradient. Returns the node (null when nothing was recorded) so the
// caller can save values on it.
template <class NodeT, class... Args>
std::shared_ptr<NodeT> record_node(const Tensor& out, std::initializer_list<const Tensor*> inputs,
                                   Args&&... args) {
  if (!any_requires_grad(inputs)) return nullptr;
  auto node = std::allocate_shared<NodeT>(pool::Allocator<NodeT>{}, std::forward<Args>(args)...);
  connect_inputs(*node, inputs);
  set_history(out, node);
  return node;
}

}  // namespace tg
