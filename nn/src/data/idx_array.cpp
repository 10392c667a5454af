#include <cstring>

#include "idx_format.hpp"
#include "tapegrad/error.hpp"
#include "tapegrad/nn/data/idx.hpp"

namespace tg::nn::data {

namespace detail {

bool is_known_idx_type(std::uint8_t byte) {
  switch (static_cast<IdxType>(byte)) {
    case IdxType::u8: case IdxType::i8: case IdxType::i16:
    case IdxType::i32: case IdxType::f32: case IdxType::f64: return true;
  }
  return false;
}

std::string join_dims(std::span<const std::int64_t> dims) {
  std::string out;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) out += " x ";
    out += std::to_string(dims[i]);
  }
  return out;
}

}  // namespace detail

std::size_t idx_type_size(IdxType type) {
  switch (type) {
    case IdxType::u8: case IdxType::i8: return 1;
    case IdxType::i16: return 2;
    case IdxType::i32: case IdxType::f32: return 4;
    case IdxType::f64: return 8;
  }
  fail("idx_type_size: unknown IDX type byte 0x{:02X}", static_cast<unsigned>(type));
}

std::string_view idx_type_name(IdxType type) {
  switch (type) {
    case IdxType::u8: return "u8";
    case IdxType::i8: return "i8";
    case IdxType::i16: return "i16";
    case IdxType::i32: return "i32";
    case IdxType::f32: return "f32";
    case IdxType::f64: return "f64";
  }
  return "unknown";
}

// The nonzero dims must multiply within int64 even when a zero dim empties the array,
// since they define the strides (as read_idx checks for files).
std::int64_t IdxArray::numel() const {
  std::int64_t nonzero = 1;
  bool empty = false;
  for (std::int64_t d : dims) {
    empty = empty || d == 0;
    TG_CHECK(d == 0 || !__builtin_mul_overflow(nonzero, d, &nonzero),
             "IdxArray::numel: dims [{}] multiply to more than 2^63 values", detail::join_dims(dims));
  }
  return empty ? 0 : nonzero;
}

namespace {

template <class T> T load(const std::uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));
  return value;
}

// Calls fn(T{}) with T the C++ type of an IDX type.
template <class Fn> decltype(auto) dispatch_idx(IdxType type, Fn&& fn) {
  switch (type) {
    case IdxType::u8: return fn(std::uint8_t{});
    case IdxType::i8: return fn(std::int8_t{});
    case IdxType::i16: return fn(std::int16_t{});
    case IdxType::i32: return fn(std::int32_t{});
    case IdxType::f32: return fn(float{});
    default: return fn(double{});
  }
}

void check_consistent(const IdxArray& a, const char* op) {
  TG_CHECK(a.raw.size() == static_cast<std::size_t>(a.numel()) * idx_type_size(a.type),
           "{}: {} bytes of {} values for dims [{}], expected {}", op, a.raw.size(), idx_type_name(a.type),
           detail::join_dims(a.dims), static_cast<std::size_t>(a.numel()) * idx_type_size(a.type));
}

template <class T>
IdxArray make_array(IdxType type, std::vector<std::int64_t> dims, std::span<const T> values, const char* op) {
  IdxArray a;
  a.type = type;
  a.dims = std::move(dims);
  for (std::int64_t d : a.dims) TG_CHECK(d >= 0, "{}: negative dim in [{}]", op, detail::join_dims(a.dims));
  TG_CHECK(static_cast<std::int64_t>(values.size()) == a.numel(), "{}: {} values given for dims [{}] ({} values)",
           op, values.size(), detail::join_dims(a.dims), a.numel());
  a.raw.resize(values.size_bytes());
  if (!values.empty()) std::memcpy(a.raw.data(), values.data(), values.size_bytes());
  return a;
}

}  // namespace

double IdxArray::value(std::int64_t i) const {
  check_consistent(*this, "IdxArray::value");
  TG_CHECK(i >= 0 && i < numel(), "IdxArray::value: index {} is out of range for {} values", i, numel());
  return dispatch_idx(type, [&](auto t) {
    using T = decltype(t);
    return static_cast<double>(load<T>(raw.data() + i * sizeof(T)));
  });
}

Tensor IdxArray::to_tensor(DType dtype) const {
  check_consistent(*this, "IdxArray::to_tensor");
  TG_CHECK(!dims.empty() && static_cast<int>(dims.size()) <= kMaxDims,
           "IdxArray::to_tensor: {} dims, expected 1 to {}", dims.size(), kMaxDims);
  const bool floating_source = type == IdxType::f32 || type == IdxType::f64;
  TG_CHECK(!(dtype == DType::i64 && floating_source),
           "IdxArray::to_tensor: cannot convert {} values to i64; expected an integer IDX type (u8, i8, i16, i32)",
           idx_type_name(type));
  Tensor out = empty(Shape(dims), dtype);
  const std::int64_t n = numel();
  dispatch_idx(type, [&](auto s) {
    using S = decltype(s);
    dispatch_dtype(dtype, [&](auto d) {
      using D = decltype(d);
      D* dst = out.data<D>();
      const std::uint8_t* src = raw.data();
      for (std::int64_t i = 0; i < n; ++i) dst[i] = static_cast<D>(load<S>(src + i * sizeof(S)));
    });
  });
  return out;
}

IdxArray IdxArray::from_u8(std::vector<std::int64_t> dims, std::span<const std::uint8_t> values) {
  return make_array(IdxType::u8, std::move(dims), values, "IdxArray::from_u8");
}
IdxArray IdxArray::from_i32(std::vector<std::int64_t> dims, std::span<const std::int32_t> values) {
  return make_array(IdxType::i32, std::move(dims), values, "IdxArray::from_i32");
}
IdxArray IdxArray::from_f32(std::vector<std::int64_t> dims, std::span<const float> values) {
  return make_array(IdxType::f32, std::move(dims), values, "IdxArray::from_f32");
}
IdxArray IdxArray::from_f64(std::vector<std::int64_t> dims, std::span<const double> values) {
  return make_array(IdxType::f64, std::move(dims), values, "IdxArray::from_f64");
}

}  // namespace tg::nn::data
