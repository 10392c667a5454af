#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>

#include "gzip_buffer.hpp"
#include "idx_format.hpp"
#include "tapegrad/error.hpp"
#include "tapegrad/nn/data/idx.hpp"

namespace tg::nn::data {

void write_idx(const std::string& path, const IdxArray& array, IdxCompression compression) {
  const std::string context = "write_idx: " + path;
  TG_CHECK(detail::is_known_idx_type(static_cast<std::uint8_t>(array.type)), "{}: unknown IDX type byte 0x{:02X}",
           context, static_cast<unsigned>(array.type));
  TG_CHECK(!array.dims.empty() && array.dims.size() <= static_cast<std::size_t>(kMaxIdxDims),
           "{}: {} dims, expected 1 to {}", context, array.dims.size(), kMaxIdxDims);
  for (std::int64_t d : array.dims) {
    TG_CHECK(d >= 0 && d <= std::numeric_limits<std::uint32_t>::max(),
             "{}: dim {} does not fit the format's unsigned 32-bit dims", context, d);
  }
  const std::size_t element_size = idx_type_size(array.type);
  TG_CHECK(array.raw.size() == static_cast<std::size_t>(array.numel()) * element_size,
           "{}: {} bytes of {} values for dims [{}], expected {}", context, array.raw.size(),
           idx_type_name(array.type), detail::join_dims(array.dims), array.numel() * element_size);

  std::vector<std::uint8_t> bytes{0, 0, static_cast<std::uint8_t>(array.type),
                                  static_cast<std::uint8_t>(array.dims.size())};
  for (std::int64_t d : array.dims) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::uint8_t>(d >> shift));
  }
  const std::size_t header = bytes.size();
  bytes.insert(bytes.end(), array.raw.begin(), array.raw.end());
  detail::swap_to_or_from_big_endian(std::span(bytes).subspan(header), element_size);
  if (compression == IdxCompression::gzip) bytes = detail::gzip(bytes, context);

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail("{}: cannot open for writing: {}", context, std::strerror(errno));
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) fail("{}: write error: {}", context, std::strerror(errno));
}

}  // namespace tg::nn::data
