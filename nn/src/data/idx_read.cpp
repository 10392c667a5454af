#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>

#include "gzip_buffer.hpp"
#include "idx_format.hpp"
#include "tapegrad/error.hpp"
#include "tapegrad/nn/data/idx.hpp"

namespace tg::nn::data {

namespace {

std::vector<std::uint8_t> read_file(const std::string& path, const std::string& context) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) fail("{}: cannot open: {}", context, std::strerror(errno));
  const std::streamoff size = in.tellg();
  TG_CHECK(size >= 0, "{}: cannot determine the file size", context);
  // Plain files beyond the data cap are rejected before reading them into memory.
  TG_CHECK(static_cast<std::uint64_t>(size) <= kMaxIdxDataBytes + 64, "{}: file has {} bytes, more than the limit of {}",
           context, size, kMaxIdxDataBytes);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  in.seekg(0);
  if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size)) fail("{}: read error", context);
  return bytes;
}

std::uint32_t big_endian_u32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

IdxArray parse_idx(std::vector<std::uint8_t> bytes, const std::string& context) {
  using detail::join_dims;
  TG_CHECK(bytes.size() >= detail::kIdxMagicBytes, "{}: truncated: {} bytes, shorter than the 4-byte magic", context,
           bytes.size());
  TG_CHECK(bytes[0] == 0 && bytes[1] == 0,
           "{}: bad magic: first bytes are {:02x} {:02x} {:02x} {:02x}, expected 00 00 <type> <number of dims>",
           context, bytes[0], bytes[1], bytes[2], bytes[3]);
  TG_CHECK(detail::is_known_idx_type(bytes[2]),
           "{}: unknown type byte 0x{:02X} (expected 0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32 or 0x0E f64)",
           context, bytes[2]);
  const int ndims = bytes[3];
  TG_CHECK(ndims >= 1 && ndims <= kMaxIdxDims, "{}: header declares {} dims, expected 1 to {}", context, ndims,
           kMaxIdxDims);
  const std::size_t header_bytes = detail::kIdxMagicBytes + 4 * static_cast<std::size_t>(ndims);
  TG_CHECK(bytes.size() >= header_bytes, "{}: truncated: header declares {} dims ({} header bytes), file has {} bytes",
           context, ndims, header_bytes, bytes.size());

  IdxArray array;
  array.type = static_cast<IdxType>(bytes[2]);
  const std::uint64_t element_size = idx_type_size(array.type);
  for (int i = 0; i < ndims; ++i) array.dims.push_back(big_endian_u32(bytes.data() + detail::kIdxMagicBytes + 4 * i));
  // The data size is the product of all dims, with every multiplication checked for
  // overflow. A zero dim makes an empty array, but the other dims still define the
  // strides (and every product of dims that shape code forms), so the nonzero dims times
  // the element size must fit in int64 too: 4294967295 x 4294967295 x 0 is not an empty
  // array but a header whose sizes overflow.
  const std::string_view type_name = idx_type_name(array.type);
  std::uint64_t nonzero_bytes = element_size;
  bool overflows = false;
  constexpr auto kInt64Max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  for (const std::int64_t dim : array.dims) {
    if (dim == 0) continue;
    overflows = overflows || __builtin_mul_overflow(nonzero_bytes, static_cast<std::uint64_t>(dim), &nonzero_bytes) ||
                nonzero_bytes > kInt64Max;
  }
  const bool has_zero_dim = std::find(array.dims.begin(), array.dims.end(), 0) != array.dims.end();
  TG_CHECK(has_zero_dim || (!overflows && nonzero_bytes <= kMaxIdxDataBytes),
           "{}: header declares {} {} values, more than the limit of {} bytes", context, join_dims(array.dims),
           type_name, kMaxIdxDataBytes);
  TG_CHECK(!overflows, "{}: header declares {} {} values: an empty array, but its nonzero dims multiply to more "
           "than 2^63 bytes", context, join_dims(array.dims), type_name);
  const std::uint64_t data_bytes = has_zero_dim ? 0 : nonzero_bytes;
  const std::uint64_t have = bytes.size() - header_bytes;
  TG_CHECK(have >= data_bytes, "{}: truncated: header declares {} {} values ({} bytes), file has {} after the {}-byte header",
           context, join_dims(array.dims), type_name, data_bytes, have, header_bytes);
  TG_CHECK(have == data_bytes,
           "{}: {} trailing bytes: header declares {} {} values ({} bytes), file has {} after the {}-byte header",
           context, have - data_bytes, join_dims(array.dims), type_name, data_bytes, have, header_bytes);

  // Reuse the buffer: drop the header, then convert the values to host byte order.
  bytes.erase(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(header_bytes));
  array.raw = std::move(bytes);
  detail::swap_to_or_from_big_endian(array.raw, element_size);
  return array;
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  std::vector<std::uint8_t> bytes = read_file(path, "read_idx: " + path);
  if (!detail::has_gzip_magic(bytes)) return parse_idx(std::move(bytes), "read_idx: " + path);
  const std::string context = "read_idx: " + path + " (gzip)";
  const std::uint64_t max_header = detail::kIdxMagicBytes + 4 * kMaxIdxDims;
  return parse_idx(detail::gunzip(bytes, kMaxIdxDataBytes + max_header, context), context);
}

}  // namespace tg::nn::data
