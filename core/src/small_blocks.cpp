#include "small_blocks.hpp"

namespace tg::small_blocks {

constinit thread_local Cache cache{};

namespace {

// Returns the thread's cached blocks to the pool when the thread exits. Registered
// (by its first use) when the thread first caches a block.
struct ThreadExit {
  ~ThreadExit() {
    cache.state = 2;
    for (std::size_t c = 0; c < kClasses; ++c) {
      while (Block* b = cache.head[c]) {
        cache.head[c] = b->next;
        pool::deallocate(b, (c + 1) * pool::kBlockAlignment);
      }
      cache.count[c] = 0;
    }
  }
};

}  // namespace

void deallocate_slow(void* p, std::size_t bytes) noexcept {
  if (p != nullptr && bytes != 0 && bytes <= pool::kMaxPooledBytes && cache.state == 0) {
    thread_local ThreadExit at_exit;
    (void)at_exit;
    cache.state = 1;
    deallocate(p, bytes);
    return;
  }
  pool::deallocate(p, bytes);
}

}  // namespace tg::small_blocks
