#include "tapegrad/memory_pool.hpp"

#include <array>
#include <atomic>
#include <cstdlib>

#include "large_block_arena.hpp"

namespace tg::pool {

namespace {

constexpr std::size_t kClasses = kMaxPooledBytes / kBlockAlignment;
constexpr int kMaxCachedPerClass = 4096;
constexpr std::size_t kPage = 4096;

// Under AddressSanitizer every large block comes from malloc and goes back to free,
// so that the sanitizer sees each buffer's bounds and lifetime.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kUseArena = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kUseArena = false;
#else
constexpr bool kUseArena = true;
#endif
#else
constexpr bool kUseArena = true;
#endif

// The counters of stats(): large blocks only (a few hundred per training step), so
// relaxed atomics cost nothing measurable; the small-block path never touches them.
std::atomic<std::size_t> in_use_bytes{0}, peak_in_use_bytes{0}, peak_held_bytes{0};

void raise_peak(std::atomic<std::size_t>& peak, std::size_t value) {
  std::size_t seen = peak.load(std::memory_order_relaxed);
  while (value > seen && !peak.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

struct FreeBlock {
  FreeBlock* next;
};

// Small blocks: per-thread free lists by 64-byte class.
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

std::size_t rounded_size(std::size_t bytes) {
  if (bytes <= kMaxPooledBytes) return (bytes + kBlockAlignment - 1) / kBlockAlignment * kBlockAlignment;
  return (bytes + kPage - 1) / kPage * kPage;
}

// Large blocks: from the arena (large_block_arena.hpp), else from the system.
void* allocate_large(std::size_t rounded) {
  void* p = kUseArena ? detail::arena_allocate(rounded) : nullptr;
  if (!p) p = std::aligned_alloc(kBlockAlignment, rounded);
  if (!p) throw std::bad_alloc();
  const std::size_t in_use = in_use_bytes.fetch_add(rounded, std::memory_order_relaxed) + rounded;
  raise_peak(peak_in_use_bytes, in_use);
  raise_peak(peak_held_bytes, in_use + (kUseArena ? detail::arena_resident_free() : 0));
  return p;
}

void deallocate_large(void* p, std::size_t rounded) noexcept {
  in_use_bytes.fetch_sub(rounded, std::memory_order_relaxed);
  if (!kUseArena || !detail::arena_deallocate(p, rounded)) std::free(p);
}

}  // namespace

void* allocate(std::size_t bytes) {
  if (bytes == 0) bytes = 1;
  if (bytes > kMaxPooledBytes) return allocate_large(rounded_size(bytes));
  if (!cache_gone) {
    const std::size_t c = class_of(bytes);
    if (FreeBlock* b = cache.head[c]) {
      cache.head[c] = b->next;
      --cache.count[c];
      return b;
    }
  }
  void* p = std::aligned_alloc(kBlockAlignment, rounded_size(bytes));
  if (!p) throw std::bad_alloc();
  return p;
}

void deallocate(void* p, std::size_t bytes) noexcept {
  if (!p) return;
  if (bytes == 0) bytes = 1;
  if (bytes > kMaxPooledBytes) {
    deallocate_large(p, rounded_size(bytes));
    return;
  }
  if (!cache_gone) {
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

void release_cached() {
  if (kUseArena) detail::arena_release_free();
}

Stats stats() {
  Stats s;
  s.in_use = in_use_bytes.load(std::memory_order_relaxed);
  s.peak_in_use = peak_in_use_bytes.load(std::memory_order_relaxed);
  s.cached = kUseArena ? detail::arena_resident_free() : 0;
  s.held = s.in_use + s.cached;
  s.peak_held = std::max(peak_held_bytes.load(std::memory_order_relaxed), s.held);
  return s;
}

bool arena_enabled() { return kUseArena; }

void reset_peaks() {
  const std::size_t in_use = in_use_bytes.load(std::memory_order_relaxed);
  peak_in_use_bytes.store(in_use, std::memory_order_relaxed);
  peak_held_bytes.store(in_use + (kUseArena ? detail::arena_resident_free() : 0), std::memory_order_relaxed);
}

}  // namespace tg::pool
