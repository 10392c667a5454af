#include "tapegrad/memory_pool.hpp"

#include <array>
#include <cstdlib>
#include <unordered_map>
#include <vector>

namespace tg::pool {

namespace {

constexpr std::size_t kClasses = kMaxPooledBytes / kBlockAlignment;
constexpr int kMaxCachedPerClass = 4096;

struct FreeBlock {
  FreeBlock* next;
};

// Large blocks are cached by exact (page-rounded) size: a training step frees and
// reallocates the same sizes every iteration, and handing them back to the system
// each time costs a page fault per 4 KiB on the next use.
constexpr std::size_t kPage = 4096;
constexpr std::size_t kMaxCachedLargeBytes = std::size_t{512} << 20;

struct ThreadCache {
  std::array<FreeBlock*, kClasses> head{};
  std::array<int, kClasses> count{};
  std::unordered_map<std::size_t, std::vector<void*>> large;
  std::size_t large_bytes = 0;
  void release_large();
  ~ThreadCache();
};

// Set when the thread's cache has been destroyed (thread exit): later frees from
// other thread_local destructors then go to the system directly.
thread_local bool cache_gone = false;
thread_local ThreadCache cache;

void ThreadCache::release_large() {
  for (auto& [size, blocks] : large)
    for (void* b : blocks) std::free(b);
  large.clear();
  large_bytes = 0;
}

ThreadCache::~ThreadCache() {
  release_large();
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

std::size_t rounded_size(std::size_t bytes) {
  if (bytes <= kMaxPooledBytes) return (bytes + kBlockAlignment - 1) / kBlockAlignment * kBlockAlignment;
  return (bytes + kPage - 1) / kPage * kPage;
}

void* allocate(std::size_t bytes) {
  if (bytes == 0) bytes = 1;
  const std::size_t rounded = rounded_size(bytes);
  if (bytes > kMaxPooledBytes && !cache_gone) {
    auto it = cache.large.find(rounded);
    if (it != cache.large.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      cache.large_bytes -= rounded;
      return p;
    }
  }
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
  if (bytes > kMaxPooledBytes && !cache_gone) {
    const std::size_t rounded = rounded_size(bytes);
    if (cache.large_bytes + rounded <= kMaxCachedLargeBytes) {
      cache.large[rounded].push_back(p);
      cache.large_bytes += rounded;
      return;
    }
  }
  std::free(p);
}

void release_cached() {
  if (!cache_gone) cache.release_large();
}

}  // namespace tg::pool
