#pragma once
// SmallVector<T, N>: the first N elements live inline (no allocation), more spill to
// the heap. Tape nodes use it for their edges and gradient lists, which almost always
// hold one or two entries.
#include <array>
#include <cstddef>
#include <utility>
#include <vector>

namespace tg {

template <class T, std::size_t N>
class SmallVector {
 public:
  SmallVector() = default;
  explicit SmallVector(std::size_t n) { resize(n); }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::size_t i) { return data()[i]; }
  const T& operator[](std::size_t i) const { return data()[i]; }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }

  void push_back(T value) {
    if (size_ < N) {
      inline_[size_] = std::move(value);
    } else {
      spill();
      heap_.push_back(std::move(value));
    }
    ++size_;
  }
  void resize(std::size_t n) {
    if (n > N) {
      spill();
      heap_.resize(n);
    } else if (on_heap()) {
      heap_.resize(n);
    } else {
      for (std::size_t i = n; i < size_; ++i) inline_[i] = T{};
    }
    size_ = n;
  }
  void clear() { resize(0); }

 private:
  bool on_heap() const { return !heap_.empty() || size_ > N; }
  T* data() { return on_heap() ? heap_.data() : inline_.data(); }
  const T* data() const { return on_heap() ? heap_.data() : inline_.data(); }
  void spill() {
    if (on_heap()) return;
    heap_.reserve(2 * N + 1);
    for (std::size_t i = 0; i < size_; ++i) heap_.push_back(std::move(inline_[i]));
    for (std::size_t i = 0; i < size_; ++i) inline_[i] = T{};
  }

  std::array<T, N> inline_{};
  std::vector<T> heap_;
  std::size_t size_ = 0;
};

}  // namespace tg
