#pragma once
// IDX files (the MNIST / Fashion-MNIST format): 2 zero bytes, a type byte, the number
// of dims, the dims as big-endian u32, then the values in big-endian row-major order.
// read_idx accepts plain or gzip files (told apart by the gzip magic 1f 8b, not by the
// file name) and validates everything; errors name the file and what was wrong.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tapegrad/tensor.hpp"

namespace tg::nn::data {

enum class IdxType : std::uint8_t { u8 = 0x08, i8 = 0x09, i16 = 0x0B, i32 = 0x0C, f32 = 0x0D, f64 = 0x0E };

std::size_t idx_type_size(IdxType type);
std::string_view idx_type_name(IdxType type);  // "u8", "i8", "i16", "i32", "f32", "f64"

// Largest data section read_idx accepts (2 GiB; Fashion-MNIST's training images are 47 MB).
inline constexpr std::uint64_t kMaxIdxDataBytes = std::uint64_t{1} << 31;
inline constexpr int kMaxIdxDims = 8;

struct IdxArray {
  IdxType type = IdxType::u8;
  std::vector<std::int64_t> dims;
  // The values in host byte order (read_idx converts from the file's big-endian order).
  std::vector<std::uint8_t> raw;

  std::int64_t numel() const;
  double value(std::int64_t i) const;  // element i (row-major), converted to double
  // A tensor of shape dims holding the values converted to dtype (f32 for pixels,
  // i64 for labels). An i64 target requires an integer IDX type.
  Tensor to_tensor(DType dtype = f32) const;

  static IdxArray from_u8(std::vector<std::int64_t> dims, std::span<const std::uint8_t> values);
  static IdxArray from_i32(std::vector<std::int64_t> dims, std::span<const std::int32_t> values);
  static IdxArray from_f32(std::vector<std::int64_t> dims, std::span<const float> values);
  static IdxArray from_f64(std::vector<std::int64_t> dims, std::span<const double> values);
};

IdxArray read_idx(const std::string& path);

enum class IdxCompression { none, gzip };
// Writes the array (plain or gzip); errors name the path. The array must be consistent:
// 1 to 8 dims, each below 2^32, and raw.size() == product of dims * type size.
void write_idx(const std::string& path, const IdxArray& array,
               IdxCompression compression = IdxCompression::none);

}  // namespace tg::nn::data
