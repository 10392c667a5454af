#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tg {

// f32: the default, computed by oneDNN. f64: reference C++ kernels (gradcheck).
// i64: labels and indices; never requires grad.
enum class DType : std::uint8_t { f32, f64, i64 };

inline constexpr DType f32 = DType::f32;
inline constexpr DType f64 = DType::f64;
inline constexpr DType i64 = DType::i64;

constexpr std::size_t dtype_size(DType dtype) {  // inline: every tensor access multiplies by it
  return dtype == DType::f32 ? 4 : 8;
}
std::string_view dtype_name(DType dtype);
inline bool is_floating(DType dtype) { return dtype != DType::i64; }

template <class T> struct dtype_of;
template <> struct dtype_of<float> { static constexpr DType value = DType::f32; };
template <> struct dtype_of<double> { static constexpr DType value = DType::f64; };
template <> struct dtype_of<std::int64_t> { static constexpr DType value = DType::i64; };
template <class T> inline constexpr DType dtype_of_v = dtype_of<T>::value;

// Calls fn(T{}) with T the C++ type of dtype.
template <class Fn>
decltype(auto) dispatch_dtype(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::f32: return fn(float{});
    case DType::f64: return fn(double{});
    default: return fn(std::int64_t{});
  }
}

// As dispatch_dtype, for floating dtypes only (the caller has rejected i64).
template <class Fn>
decltype(auto) dispatch_floating(DType dtype, Fn&& fn) {
  if (dtype == DType::f32) return fn(float{});
  return fn(double{});
}

}  // namespace tg
