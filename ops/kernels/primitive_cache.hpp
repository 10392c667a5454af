#pragma once
// The one cache of oneDNN primitives (and of objects built from them: a primitive with
// its reorders, say), per thread, bounded, least recently used evicted. Creating a
// primitive costs tens of microseconds to milliseconds (JIT code generation); running
// it, a few. Keys are bytes that fix everything the object depends on (dnnl_common.hpp
// builds them: a tag per kind of object, shapes, strides, attributes, thread count), so
// one tag always holds one type. Per thread: a stream and its primitives stay on the
// thread that made them, and lookups need no lock.
//
// Lifetime: a reference returned by get() stays valid until `capacity` other entries
// have been created on the thread after it was last used. One kernel call uses at most
// two entries at once, so a capacity of at least kMinCapacity keeps them all valid.
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "tapegrad/error.hpp"

namespace tg::kernels {

class PrimitiveCache {
 public:
  static constexpr std::int64_t kDefaultCapacity = 1024;
  static constexpr std::int64_t kMinCapacity = 4;

  // The object cached under key, made by make() (which may throw: nothing is cached
  // then) when absent.
  template <class T, class Make>
  T& get(std::string_view key, Make&& make) {
    if (auto it = index_.find(key); it != index_.end()) {
      ++hits_;
      lru_.splice(lru_.begin(), lru_, it->second);  // most recent first; iterators stay valid
      return checked<T>(*it->second->value);
    }
    auto value = std::make_unique<Holder<T>>(make());
    ++misses_;
    lru_.push_front(Slot{std::string(key), std::move(value)});
    index_.emplace(lru_.front().key, lru_.begin());
    trim();
    return checked<T>(*lru_.front().value);
  }

  std::int64_t size() const { return static_cast<std::int64_t>(lru_.size()); }
  std::int64_t capacity() const { return capacity_; }
  std::int64_t hits() const { return hits_; }
  std::int64_t misses() const { return misses_; }
  // Evicts the least recently used entries down to the new capacity.
  void set_capacity(std::int64_t capacity) {
    TG_CHECK(capacity >= kMinCapacity, "primitive cache: capacity {} is below the minimum {}", capacity,
             kMinCapacity);
    capacity_ = capacity;
    trim();
  }

 private:
  struct Entry {
    explicit Entry(const void* t) : type(t) {}
    virtual ~Entry() = default;
    const void* type;  // identifies T (one address per instantiation of kTypeTag)
  };
  template <class T>
  static constexpr char kTypeTag = 0;
  template <class T>
  struct Holder final : Entry {
    explicit Holder(T v) : Entry(&kTypeTag<T>), value(std::move(v)) {}
    T value;
  };
  struct Slot {
    std::string key;
    std::unique_ptr<Entry> value;
  };

  template <class T>
  static T& checked(Entry& e) {
    TG_CHECK(e.type == &kTypeTag<T>, "primitive cache: one key used for two kinds of object (a tag used twice)");
    return static_cast<Holder<T>&>(e).value;
  }
  void trim() {
    while (size() > capacity_) {
      index_.erase(lru_.back().key);
      lru_.pop_back();
    }
  }

  std::list<Slot> lru_;  // most recently used first
  std::unordered_map<std::string_view, std::list<Slot>::iterator> index_;  // views of the slots' keys
  std::int64_t capacity_ = kDefaultCapacity;
  std::int64_t hits_ = 0, misses_ = 0;
};

// The calling thread's cache.
PrimitiveCache& primitive_cache();

}  // namespace tg::kernels
