#pragma once
// Storage: a 64-byte aligned buffer shared by a tensor and its views, with the
// version counter that in-place ops bump and the tape checks. A small buffer lives in
// the same pool block as the Storage and its reference counts (one allocation, not
// two: the tape creates and drops a small tensor per recorded op).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace tg {

class Storage {
 public:
  static constexpr std::size_t kAlignment = 64;
  static std::shared_ptr<Storage> allocate(std::size_t nbytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  std::size_t nbytes() const { return nbytes_; }
  std::uint64_t version() const { return version_.load(std::memory_order_relaxed); }
  void bump_version() { version_.fetch_add(1, std::memory_order_relaxed); }

 private:
  struct Private {};

 public:
  Storage(Private, void* data, std::size_t nbytes, bool owns_data = true)
      : data_(data), nbytes_(nbytes), owns_data_(owns_data) {}

 private:
  void* data_;
  std::size_t nbytes_;
  std::atomic<std::uint64_t> version_{0};
  bool owns_data_;  // false: the buffer is part of this Storage's own block
};

}  // namespace tg
