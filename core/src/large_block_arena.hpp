#pragma once
// The pool's large blocks (tapegrad/memory_pool.hpp): page-aligned ranges of one
// address-space reservation, handed out first-fit from the free ranges, which merge
// with their free neighbours when released. Freed pages stay resident, so a training
// step that frees and reallocates its buffers every iteration reuses them without a
// page fault; and since ranges of any sizes merge and split, the resident memory is
// close to the most the step has in use at once, where a cache of blocks by exact
// size holds the sum over sizes of the most of each size in use at once.
#include <cstddef>

namespace tg::pool::detail {

// A page-aligned block of `bytes` (a multiple of the page size), or null when the
// reservation is exhausted or unavailable (the caller then asks the system).
void* arena_allocate(std::size_t bytes);
// True (and the range is free again) when p came from arena_allocate.
bool arena_deallocate(void* p, std::size_t bytes) noexcept;
// Returns the free ranges' pages to the system (they stay reserved).
void arena_release_free();
// Bytes of free ranges whose pages are (or may be) resident.
std::size_t arena_resident_free();

}  // namespace tg::pool::detail
