#pragma once
// Constants and dtype names of the safetensors format shared by its reader and writer.
#include <bit>
#include <cstdint>
#include <optional>
#include <string_view>

#include "tapegrad/dtype.hpp"

namespace tg::nn::safetensors {

// Tensors are stored little-endian and copied byte for byte.
static_assert(std::endian::native == std::endian::little,
              "the safetensors reader and writer assume a little-endian host");

// The reference implementation refuses headers above 100 MB (a guard against
// denial-of-service through huge JSON); so do we.
inline constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;
inline constexpr std::string_view kMetadataKey = "__metadata__";

inline std::string_view dtype_tag(DType dtype) {
  switch (dtype) {
    case DType::f32: return "F32";
    case DType::f64: return "F64";
    default: return "I64";
  }
}

inline std::optional<DType> dtype_from_tag(std::string_view tag) {
  if (tag == "F32") return DType::f32;
  if (tag == "F64") return DType::f64;
  if (tag == "I64") return DType::i64;
  return std::nullopt;
}

// Dtypes the format defines that tapegrad has no tensor type for.
inline bool is_other_format_dtype(std::string_view tag) {
  for (std::string_view known : {"BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ",
                                 "F4", "F6_E2M3", "F6_E3M2", "I16", "U16", "F16", "BF16", "I32", "U32", "U64", "C64"})
    if (tag == known) return true;
  return false;
}

}  // namespace tg::nn::safetensors
