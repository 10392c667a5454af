#pragma once
// Storage: a 64-byte aligned buffer shared by a tensor and its views, with the
// version counter that in-place ops bump and the tape checks.
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
  Storage(Private, void* data, std::size_t nbytes) : data_(data), nbytes_(nbytes) {}

 private:
  void* data_;
  std::size_t nbytes_;
  std::atomic<std::uint64_t> version_{0};
};

}  // namespace tg
