#pragma once
// Per-tensor autograd state, created only for tensors that take part in autograd.
#include <cstddef>
#include <memory>
#include <vector>

#include "small_blocks.hpp"
#include "tapegrad/tensor.hpp"

namespace tg {

struct AutogradMeta {
  bool requires_grad = false;     // set by the user on leaves
  std::shared_ptr<Node> grad_fn;  // the node that produced this tensor; null for leaves
  std::uint32_t output_nr = 0;
  Tensor grad;                    // accumulated gradient (leaves, or retain_grad())
  std::vector<GradHook> hooks;    // hooks of a leaf, run before accumulation
  bool retains_grad = false;

  // Every recorded op's output gets one: from the per-thread cache of small blocks,
  // as the tensor it belongs to, not from malloc (small_blocks.hpp).
  static void* operator new(std::size_t bytes) { return small_blocks::allocate(bytes); }
  static void operator delete(void* p, std::size_t bytes) noexcept { small_blocks::deallocate(p, bytes); }
};

}  // namespace tg
