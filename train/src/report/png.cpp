#include "report/png.hpp"

#include <zlib.h>

#include <algorithm>

#include <tapegrad/error.hpp>

namespace tg::train::report::detail {

namespace {

void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

// length, type, data, and the CRC-32 of type and data.
void put_chunk(std::string& out, const char type[5], const std::string& data) {
  put_u32(out, static_cast<std::uint32_t>(data.size()));
  const std::string typed = std::string(type, 4) + data;
  out += typed;
  put_u32(out, static_cast<std::uint32_t>(
                   crc32(0L, reinterpret_cast<const Bytef*>(typed.data()), static_cast<uInt>(typed.size()))));
}

}  // namespace

std::string grayscale_png(std::int64_t width, std::int64_t height, const std::vector<std::uint8_t>& gray) {
  TG_CHECK(width >= 1 && height >= 1 && gray.size() == static_cast<std::size_t>(width * height),
           "png: a {}x{} image needs {} pixels, got {}", width, height, width * height, gray.size());
  // Each row starts with its filter type; 0 is "none".
  std::string raw;
  raw.reserve(static_cast<std::size_t>((width + 1) * height));
  for (std::int64_t y = 0; y < height; ++y) {
    raw += '\0';
    raw.append(reinterpret_cast<const char*>(gray.data() + y * width), static_cast<std::size_t>(width));
  }
  uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(packed_size, '\0');
  const int status = compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size,
                               reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()), 9);
  TG_CHECK(status == Z_OK, "png: zlib compress2 failed ({})", status);
  packed.resize(packed_size);

  std::string header;
  put_u32(header, static_cast<std::uint32_t>(width));
  put_u32(header, static_cast<std::uint32_t>(height));
  header += std::string{8, 0, 0, 0, 0};  // bit depth 8, colour type 0 (gray), deflate, no filter set, no interlace

  std::string png = "\x89PNG\r\n\x1a\n";
  put_chunk(png, "IHDR", header);
  put_chunk(png, "IDAT", packed);
  put_chunk(png, "IEND", "");
  return png;
}

std::string base64(std::string_view bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t group = 0;
    for (std::size_t k = 0; k < 3; ++k)
      group = (group << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
    for (std::size_t k = 0; k < 4; ++k)
      out += k <= n ? alphabet[(group >> (18 - 6 * k)) & 0x3F] : '=';
  }
  return out;
}

}  // namespace tg::train::report::detail
