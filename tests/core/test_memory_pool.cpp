// The pool's large blocks (tapegrad/memory_pool.hpp): freed ranges of any sizes merge
// and serve later requests from pages already resident, across threads; release_cached
// returns them; stats() counts what is handed out and what is kept.
#include <doctest/doctest.h>

#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include <tapegrad/memory_pool.hpp>

namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

// This process's resident bytes (VmRSS of /proc/self/status).
std::size_t resident_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return static_cast<std::size_t>(std::stoull(line.substr(6))) * 1024;
  return 0;
}

// A block of `bytes` whose every page is written (so resident).
void* touched_block(std::size_t bytes) {
  void* p = tg::pool::allocate(bytes);
  std::memset(p, 1, bytes);
  return p;
}

}  // namespace

TEST_CASE("pool: stats count large blocks handed out, page-rounded, and freed") {
  const tg::pool::Stats before = tg::pool::stats();
  void* p = tg::pool::allocate(5 * kMiB + 1);
  CHECK(tg::pool::stats().in_use == before.in_use + 5 * kMiB + 4096);
  CHECK(tg::pool::stats().peak_in_use >= before.in_use + 5 * kMiB + 4096);
  CHECK(tg::pool::stats().held >= tg::pool::stats().in_use);
  tg::pool::deallocate(p, 5 * kMiB + 1);
  CHECK(tg::pool::stats().in_use == before.in_use);
  tg::pool::reset_peaks();
  CHECK(tg::pool::stats().peak_in_use == before.in_use);
}

TEST_CASE("pool: small blocks are not counted as large ones") {
  const std::size_t in_use = tg::pool::stats().in_use;
  void* p = tg::pool::allocate(tg::pool::kMaxPooledBytes);
  CHECK(tg::pool::stats().in_use == in_use);
  tg::pool::deallocate(p, tg::pool::kMaxPooledBytes);
}

TEST_CASE("pool: two freed large blocks serve one request of their summed size without new pages") {
  if (!tg::pool::arena_enabled()) return;  // AddressSanitizer: every block comes from malloc
  void* a = touched_block(4 * kMiB);
  void* b = touched_block(8 * kMiB);
  tg::pool::deallocate(a, 4 * kMiB);
  tg::pool::deallocate(b, 8 * kMiB);
  const std::size_t cached = tg::pool::stats().cached;
  CHECK(cached >= 12 * kMiB);
  tg::pool::reset_peaks();
  const std::size_t held = tg::pool::stats().held;
  const std::size_t resident = resident_bytes();
  void* c = touched_block(12 * kMiB);
  // A cache by exact size would take 12 MiB of new pages here.
  CHECK(resident_bytes() < resident + 2 * kMiB);
  CHECK(tg::pool::stats().peak_held == held);
  CHECK(tg::pool::stats().cached == cached - 12 * kMiB);
  tg::pool::deallocate(c, 12 * kMiB);
}

TEST_CASE("pool: a large block freed on another thread is reused by this one") {
  if (!tg::pool::arena_enabled()) return;
  std::thread([] { tg::pool::deallocate(touched_block(16 * kMiB), 16 * kMiB); }).join();
  const std::size_t resident = resident_bytes();
  void* p = touched_block(16 * kMiB);
  CHECK(resident_bytes() < resident + 2 * kMiB);
  tg::pool::deallocate(p, 16 * kMiB);
}

TEST_CASE("pool: release_cached returns the freed large ranges' pages to the system") {
  void* p = touched_block(32 * kMiB);
  tg::pool::deallocate(p, 32 * kMiB);
  const std::size_t resident = resident_bytes();
  tg::pool::release_cached();
  CHECK(tg::pool::stats().cached == 0);
  if (tg::pool::arena_enabled()) CHECK(resident_bytes() + 30 * kMiB < resident);  // else free() returned them
  // The range serves requests again after its release.
  void* q = touched_block(32 * kMiB);
  CHECK(tg::pool::stats().in_use >= 32 * kMiB);
  tg::pool::deallocate(q, 32 * kMiB);
}
