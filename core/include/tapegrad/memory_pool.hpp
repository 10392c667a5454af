#pragma once
// Per-thread free lists of small 64-byte aligned blocks. Tensors of a few elements,
// their impls and tape nodes are created and destroyed millions of times; recycling
// their memory keeps an op's bookkeeping at tens of nanoseconds (malloc with
// alignment costs more than the op itself). Larger blocks come from one arena shared by
// all threads (core/src/large_block_arena.hpp): freed ranges stay resident (up to 512
// MiB), so a training loop does not page-fault its buffers every step, and they merge
// and split, so a step's peak resident memory is close to the most it has in use at
// once rather than the sum over buffer sizes.
#include <cstddef>
#include <new>

namespace tg::pool {

inline constexpr std::size_t kBlockAlignment = 64;
inline constexpr std::size_t kMaxPooledBytes = 1024;

void* allocate(std::size_t bytes);
void deallocate(void* p, std::size_t bytes) noexcept;
// Returns the free large ranges' pages to the system (every thread's).
void release_cached();

// Bytes of large blocks (over kMaxPooledBytes, page-rounded), over every thread:
// in_use is handed out and not yet freed, cached is freed but kept resident, held is
// their sum (what the pool keeps from the system); the peaks are since the start or
// the last reset_peaks().
struct Stats {
  std::size_t in_use = 0, peak_in_use = 0;
  std::size_t held = 0, peak_held = 0;
  std::size_t cached = 0;
};
Stats stats();
void reset_peaks();
// False in a build with AddressSanitizer: large blocks then go to malloc and back to
// free, so that the sanitizer sees each one (and cached is always 0).
bool arena_enabled();

// std::allocator-compatible front end, for std::allocate_shared.
template <class T>
struct Allocator {
  using value_type = T;
  Allocator() = default;
  template <class U> Allocator(const Allocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(pool::allocate(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { pool::deallocate(p, n * sizeof(T)); }
  template <class U> bool operator==(const Allocator<U>&) const noexcept { return true; }
};

}  // namespace tg::pool
