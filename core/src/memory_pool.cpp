#include "tapegrad/memory_pool.hpp"

#include <array>
#include <cstdlib>

namespace tg::pool {

namespace {

constexpr std::size_t kClasses = kMaxPooledBytes / kBlockAlignment;
constexpr int kMaxCachedPerClass = 4096;

struct FreeBlock {
  FreeBlock* next;
};

struct ThreadCache {
  std::array<FreeBlock*, kClasses> head{};
  std::array<int, kClasses> count{};
  ~ThreadCache();
};

// Set when the thread's cache has been destroyed (thread exit): later frees from
// other thread_local destructors then go to the system directly.
thread_local bool cache_gone = false;
thread_local ThreadCache cache;

ThreadCache::~ThreadCache() {
  for (std::size_t c = 0; c < kClasses; ++c) {
    while (FreeBlock* b = head[c]) {
      head[c] = b->next;
      std::free(b);
    }
  }
  cache_gone = true;
}

std::size_t class_of(std::size_t bytes) { return (bytes + kBlockAlignment - 1) / kBlockAlignment - 1; }

}  // namespace

void* allocate(std::size_t bytes) {
  if (bytes == 0) bytes = 1;
  const std::size_t rounded = (bytes + kBlockAlignment - 1) / kBlockAlignment * kBlockAlignment;
  if (bytes <= kMaxPooledBytes && !cache_gone) {
    const std::size_t c = class_of(bytes);
    if (FreeBlock* b = cache.head[c]) {
      cache.head[c] = b->next;
      --cache.count[c];
      return b;
    }
  }
  void* p = std::aligned_alloc(kBlockAlignment, rounded);
  if (!p) throw std::bad_alloc();
  return p;
}

void deallocate(void* p, std::size_t bytes) noexcept {
  if (!p) return;
  if (bytes == 0) bytes = 1;
  if (bytes <= kMaxPooledBytes && !cache_gone) {
    const std::size_t c = class_of(bytes);
    if (cache.count[c] < kMaxCachedPerClass) {
      auto* b = static_cast<FreeBlock*>(p);
      b->next = cache.head[c];
      cache.head[c] = b;
      ++cache.count[c];
      return;
    }
  }
  std::free(p);
}

}  // namespace tg::pool
