#pragma once
// Helpers shared by the IDX reader and writer.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tapegrad/nn/data/idx.hpp"

namespace tg::nn::data::detail {

inline constexpr std::size_t kIdxMagicBytes = 4;

bool is_known_idx_type(std::uint8_t byte);
// "60000 x 28 x 28"
std::string join_dims(std::span<const std::int64_t> dims);

// Reverses the bytes of each element of size `element_size` in place when the host is
// little-endian (IDX stores big-endian); a no-op on big-endian hosts.
inline void swap_to_or_from_big_endian(std::span<std::uint8_t> bytes, std::size_t element_size) {
  if constexpr (std::endian::native == std::endian::big) return;
  if (element_size == 1) return;
  for (std::size_t i = 0; i + element_size <= bytes.size(); i += element_size) {
    for (std::size_t a = i, b = i + element_size - 1; a < b; ++a, --b) std::swap(bytes[a], bytes[b]);
  }
}

}  // namespace tg::nn::data::detail
