#pragma once
// Shape: dims (or strides) of a tensor, stored inline (no heap allocation), at most
// kMaxDims entries. Used for both shapes and strides.
#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

namespace tg {

inline constexpr int kMaxDims = 8;

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<std::int64_t> dims);
  explicit Shape(std::span<const std::int64_t> dims);
  Shape(const std::vector<std::int64_t>& dims) : Shape(std::span<const std::int64_t>(dims)) {}

  int size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::int64_t operator[](int i) const { return dims_[i]; }
  std::int64_t& operator[](int i) { return dims_[i]; }
  // Python-style index: -1 is the last dim.
  std::int64_t at(int i) const;
  const std::int64_t* begin() const { return dims_.data(); }
  const std::int64_t* end() const { return dims_.data() + size_; }
  std::int64_t* begin() { return dims_.data(); }
  std::int64_t* end() { return dims_.data() + size_; }
  const std::int64_t* data() const { return dims_.data(); }

  void push_back(std::int64_t d);
  // Inline, with the error out of line: every op creates a tensor and asks its size.
  void resize(int n, std::int64_t fill = 0) {
    if (n < 0 || n > kMaxDims) [[unlikely]]
      too_many_dims();
    for (int i = size_; i < n; ++i) dims_[i] = fill;
    size_ = n;
  }
  // The product multiplies max(d, 1) so that a zero dim cannot hide an overflowing
  // product of the others: such a shape would still have strides and offsets past int64.
  std::int64_t numel() const {
    std::int64_t n = 1;
    bool has_zero = false;
    for (int i = 0; i < size_; ++i) {
      has_zero = has_zero || dims_[i] == 0;
      if (__builtin_mul_overflow(n, std::max<std::int64_t>(dims_[i], 1), &n)) [[unlikely]]
        numel_overflows();
    }
    return has_zero ? 0 : n;
  }
  std::vector<std::int64_t> to_vector() const { return {begin(), end()}; }
  std::string str() const;  // "[2, 3]"

  friend bool operator==(const Shape& a, const Shape& b) {
    if (a.size_ != b.size_) return false;
    // A loop, not std::equal: that becomes a memcmp call, which costs more than the
    // comparison of a handful of dims (the engine compares shapes on every backward edge).
    for (int i = 0; i < a.size_; ++i)
      if (a.dims_[i] != b.dims_[i]) return false;
    return true;
  }

 private:
  [[noreturn]] static void too_many_dims();
  [[noreturn]] void numel_overflows() const;

  std::array<std::int64_t, kMaxDims> dims_{};
  int size_ = 0;
};

// Row-major strides of a contiguous tensor of this shape.
Shape contiguous_strides(const Shape& shape);
// NumPy broadcasting of two shapes; throws tg::Error naming op when incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);
// Normalizes a possibly negative axis against rank; throws naming op when out of range.
int normalize_axis(std::int64_t axis, int rank, const char* op);

}  // namespace tg
