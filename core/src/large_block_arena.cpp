#include "large_block_arena.hpp"

#include <pthread.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <mutex>

namespace tg::pool::detail {

namespace {

// Address space only: PROT_NONE pages are neither memory nor commit charge until
// committed below, so the reservation can be large; smaller ones are tried under an
// address-space limit (ulimit -v).
constexpr std::size_t kReservations[] = {std::size_t{64} << 30, std::size_t{8} << 30, std::size_t{1} << 30};
// Pages are committed (made accessible) in steps of this many bytes past the top.
constexpr std::size_t kCommitStep = std::size_t{2} << 20;
// Free pages kept resident, at most: beyond this, freed ranges go back to the system.
constexpr std::size_t kMaxResidentFree = std::size_t{512} << 20;

std::mutex& arena_mutex() {
  static auto* m = new std::mutex;  // never destroyed, as the arena
  return *m;
}

// One arena for every thread, behind a mutex: large blocks are a few hundred per
// training step, each worth microseconds of work, so the lock is not measurable.
class Arena {
 public:
  // A child forked while another thread holds the lock would wait for it forever.
  Arena() {
    pthread_atfork([] { arena_mutex().lock(); }, [] { arena_mutex().unlock(); }, [] { arena_mutex().unlock(); });
  }
  void* allocate(std::size_t bytes) {
    std::lock_guard lock(arena_mutex());
    if (!reserve()) return nullptr;
    // First fit: the lowest free range that is large enough.
    for (auto it = free_.begin(); it != free_.end(); ++it) {
      if (it->second < bytes) continue;
      const std::size_t offset = it->first, size = it->second;
      free_.erase(it);
      if (size > bytes) free_.emplace(offset + bytes, size - bytes);
      resident_free_ -= std::min(resident_free_, bytes);
      return base_ + offset;
    }
    // A new range at the top, starting inside the last free range when it ends there.
    std::size_t offset = top_;
    if (!free_.empty()) {
      const auto last = std::prev(free_.end());
      if (last->first + last->second == top_) {
        offset = last->first;
        resident_free_ -= std::min(resident_free_, last->second);
        free_.erase(last);
      }
    }
    if (offset + bytes > reserved_ || !commit(offset + bytes)) {
      if (offset != top_) free_.emplace(offset, top_ - offset);
      return nullptr;
    }
    top_ = offset + bytes;
    return base_ + offset;
  }

  bool deallocate(void* p, std::size_t bytes) {
    char* c = static_cast<char*>(p);
    std::lock_guard lock(arena_mutex());
    if (base_ == nullptr || c < base_ || c >= base_ + reserved_) return false;
    std::size_t offset = static_cast<std::size_t>(c - base_), size = bytes;
    resident_free_ += bytes;
    auto next = free_.lower_bound(offset);
    if (next != free_.end() && next->first == offset + size) {
      size += next->second;
      next = free_.erase(next);
    }
    if (next != free_.begin()) {
      const auto prev = std::prev(next);
      if (prev->first + prev->second == offset) {
        offset = prev->first;
        size += prev->second;
        free_.erase(prev);
      }
    }
    free_.emplace(offset, size);
    if (resident_free_ > kMaxResidentFree) {
      madvise(base_ + offset, size, MADV_DONTNEED);
      resident_free_ -= std::min(resident_free_, size);
    }
    return true;
  }

  void release_free() {
    std::lock_guard lock(arena_mutex());
    for (const auto& [offset, size] : free_) madvise(base_ + offset, size, MADV_DONTNEED);
    resident_free_ = 0;
  }

  std::size_t resident_free() {
    std::lock_guard lock(arena_mutex());
    return resident_free_;
  }

 private:
  bool reserve() {
    if (base_ != nullptr) return true;
    if (reservation_failed_) return false;
    for (const std::size_t size : kReservations) {
      void* p = mmap(nullptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (p == MAP_FAILED) continue;
      base_ = static_cast<char*>(p);
      reserved_ = size;
      return true;
    }
    reservation_failed_ = true;
    return false;
  }
  bool commit(std::size_t end) {
    if (end <= committed_) return true;
    const std::size_t target = std::min(reserved_, (end + kCommitStep - 1) / kCommitStep * kCommitStep);
    if (mprotect(base_ + committed_, target - committed_, PROT_READ | PROT_WRITE) != 0) return false;
    committed_ = target;
    return true;
  }

  char* base_ = nullptr;
  bool reservation_failed_ = false;
  std::size_t reserved_ = 0, committed_ = 0, top_ = 0, resident_free_ = 0;
  std::map<std::size_t, std::size_t> free_;  // offset -> size, never adjacent
};

// Never destroyed: threads' exit and static destructors may still free blocks.
Arena& arena() {
  static Arena* a = new Arena;
  return *a;
}

}  // namespace

void* arena_allocate(std::size_t bytes) { return arena().allocate(bytes); }
bool arena_deallocate(void* p, std::size_t bytes) noexcept { return arena().deallocate(p, bytes); }
void arena_release_free() { arena().release_free(); }
std::size_t arena_resident_free() { return arena().resident_free(); }

}  // namespace tg::pool::detail
