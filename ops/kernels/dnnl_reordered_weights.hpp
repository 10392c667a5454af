#pragma once
// Weights in the blocked layout a oneDNN primitive chose, kept per thread while the
// weight is unchanged. A training step's forward and backward-data convolutions read
// the same weights: the second one finds them already reordered, so each weight is
// reordered at most once per step (once per optimizer update of it).
#include <oneapi/dnnl/dnnl.hpp>

#include "tapegrad/tensor.hpp"

namespace tg::kernels {

// w's values in layout `inner`, reordered by `reorder` (user -> inner) only when w's
// storage, offset or version changed since this thread last reordered it to `inner`.
// The memory stays valid until the next call on this thread.
dnnl::memory reordered_weights(const Tensor& w, const dnnl::memory::desc& user, const dnnl::memory::desc& inner,
                               const dnnl::reorder& reorder);

// Reorders of weights performed on the calling thread (feeds tg::dnnl_weight_reorders()).
std::int64_t weight_reorders_performed();

}  // namespace tg::kernels
