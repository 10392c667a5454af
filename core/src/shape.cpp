#include "tapegrad/shape.hpp"

#include "tapegrad/error.hpp"

namespace tg {

Shape::Shape(std::initializer_list<std::int64_t> dims)
    : Shape(std::span<const std::int64_t>(dims.begin(), dims.size())) {}

Shape::Shape(std::span<const std::int64_t> dims) {
  TG_CHECK(dims.size() <= static_cast<std::size_t>(kMaxDims),
           "shape: {} dims given, at most {} are supported", dims.size(), kMaxDims);
  size_ = static_cast<int>(dims.size());
  std::copy(dims.begin(), dims.end(), dims_.begin());
}

std::int64_t Shape::at(int i) const {
  return dims_[normalize_axis(i, size_, "shape")];
}

void Shape::push_back(std::int64_t d) {
  TG_CHECK(size_ < kMaxDims, "shape: at most {} dims are supported", kMaxDims);
  dims_[size_++] = d;
}

void Shape::too_many_dims() { fail("shape: at most {} dims are supported", kMaxDims); }

void Shape::numel_overflows() const { fail("shape {}: the number of elements overflows int64", str()); }

std::string Shape::str() const {
  std::string s = "[";
  for (int i = 0; i < size_; ++i) {
    if (i) s += ", ";
    s += std::to_string(dims_[i]);
  }
  return s + "]";
}

Shape contiguous_strides(const Shape& shape) {
  Shape strides;
  strides.resize(shape.size());
  std::int64_t s = 1;
  for (int i = shape.size() - 1; i >= 0; --i) {
    strides[i] = s;
    TG_CHECK(!__builtin_mul_overflow(s, std::max<std::int64_t>(shape[i], 1), &s),
             "shape {}: the strides overflow int64", shape.str());
  }
  return strides;
}

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const int rank = std::max(a.size(), b.size());
  Shape out;
  out.resize(rank);
  for (int i = 0; i < rank; ++i) {
    const int ia = a.size() - rank + i, ib = b.size() - rank + i;
    const std::int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
    TG_CHECK(da == db || da == 1 || db == 1,
             "{}: shapes {} and {} cannot be broadcast (dim {} is {} vs {})", op, a.str(),
             b.str(), i, da, db);
    out[i] = da == 1 ? db : da;
  }
  return out;
}

int normalize_axis(std::int64_t axis, int rank, const char* op) {
  TG_CHECK(axis >= -rank && axis < rank, "{}: axis {} is out of range for a tensor with {} dims",
           op, axis, rank);
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

}  // namespace tg
