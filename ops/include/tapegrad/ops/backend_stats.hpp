#pragma once
#include <cstdint>

namespace tg {
// oneDNN primitives created so far on the calling thread (each is cached per op,
// shapes, strides and attributes; a steady training loop creates none).
std::int64_t dnnl_primitives_created();
// Convolution weights reordered into oneDNN's blocked layouts on the calling thread
// (at most once per weight and update: forward and backward share the copy).
std::int64_t dnnl_weight_reorders();

// The calling thread's primitive cache: entries held, the bound on them (least
// recently used entries are evicted beyond it), and lookups that found an entry (hits)
// or created one (misses).
struct DnnlCacheStats {
  std::int64_t size = 0, capacity = 0, hits = 0, misses = 0;
};
DnnlCacheStats dnnl_primitive_cache_stats();
}  // namespace tg
