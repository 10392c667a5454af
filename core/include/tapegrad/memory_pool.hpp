#pragma once
// Per-thread free lists of small 64-byte aligned blocks. Tensors of a few elements,
// their impls and tape nodes are created and destroyed millions of times; recycling
// their memory keeps an op's bookkeeping at tens of nanoseconds (malloc with
// alignment costs more than the op itself). Larger blocks are cached by size, up to
// 512 MiB per thread, so a training loop does not page-fault its buffers every step.
#include <cstddef>
#include <new>

namespace tg::pool {

inline constexpr std::size_t kBlockAlignment = 64;
inline constexpr std::size_t kMaxPooledBytes = 1024;

void* allocate(std::size_t bytes);
void deallocate(void* p, std::size_t bytes) noexcept;
// Returns the calling thread's cached large blocks to the system.
void release_cached();

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
