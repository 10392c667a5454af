#pragma once
// A per-thread cache of small blocks in front of tg::pool (tapegrad/memory_pool.hpp),
// inlined into core's most frequent allocations: the TensorImpl, Storage and
// AutogradMeta that every recorded op creates and drops. A block of a size this cache
// already holds is a pop from a list, without the call into the pool and its checks
// (that call costs more than the rest of allocating a one-element tensor). The cache
// keeps few blocks per size (kMaxPerClass); misses and overflow go to the pool, and the
// thread's blocks return to the pool when the thread exits.
#include <cstddef>

#include "tapegrad/memory_pool.hpp"

namespace tg::small_blocks {

inline constexpr std::size_t kClasses = pool::kMaxPooledBytes / pool::kBlockAlignment;
inline constexpr int kMaxPerClass = 64;

struct Block {
  Block* next;
};

struct Cache {
  Block* head[kClasses];
  int count[kClasses];
  // 0: no block cached yet (the thread-exit hook is not registered), 1: caching,
  // 2: the thread is exiting (frees go straight to the pool).
  unsigned char state;
};

// Constant-initialized, so a read is one thread-pointer-relative load (core is built
// with the initial-exec TLS model).
extern constinit thread_local Cache cache;

void deallocate_slow(void* p, std::size_t bytes) noexcept;

constexpr std::size_t class_of(std::size_t bytes) {
  return (bytes + pool::kBlockAlignment - 1) / pool::kBlockAlignment - 1;
}

inline void* allocate(std::size_t bytes) {
  if (bytes != 0 && bytes <= pool::kMaxPooledBytes) {
    const std::size_t c = class_of(bytes);
    if (Block* b = cache.head[c]) {
      cache.head[c] = b->next;
      --cache.count[c];
      return b;
    }
  }
  return pool::allocate(bytes);
}

inline void deallocate(void* p, std::size_t bytes) noexcept {
  if (p != nullptr && bytes != 0 && bytes <= pool::kMaxPooledBytes && cache.state == 1) {
    const std::size_t c = class_of(bytes);
    if (cache.count[c] < kMaxPerClass) {
      Block* b = static_cast<Block*>(p);
      b->next = cache.head[c];
      cache.head[c] = b;
      ++cache.count[c];
      return;
    }
  }
  deallocate_slow(p, bytes);
}

// std::allocator-compatible front end, for std::allocate_shared.
template <class T>
struct Allocator {
  using value_type = T;
  Allocator() = default;
  template <class U> Allocator(const Allocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(small_blocks::allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { small_blocks::deallocate(p, n * sizeof(T)); }
  template <class U> bool operator==(const Allocator<U>&) const noexcept { return true; }
};

}  // namespace tg::small_blocks
