#include "gzip_buffer.hpp"

#include <zlib.h>

#include <algorithm>
#include <limits>

#include "tapegrad/error.hpp"

namespace tg::nn::data::detail {

namespace {
// windowBits 15 plus 16 selects the gzip wrapper (zlib.h, deflateInit2 / inflateInit2).
constexpr int kGzipWindowBits = 15 + 16;
// zlib counts in uInt; feed and drain it in chunks that fit.
constexpr std::size_t kChunk = std::size_t{1} << 30;

std::string zlib_message(const z_stream& stream, int code) {
  if (stream.msg != nullptr) return stream.msg;
  return zError(code);
}
}  // namespace

bool has_gzip_magic(std::span<const std::uint8_t> bytes) {
  return bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;
}

std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> compressed, std::uint64_t max_output,
                                 const std::string& context) {
  z_stream stream{};
  if (inflateInit2(&stream, kGzipWindowBits) != Z_OK) fail("{}: zlib inflateInit2 failed", context);
  struct End {
    z_stream* s;
    ~End() { inflateEnd(s); }
  } end{&stream};

  std::vector<std::uint8_t> out;
  // The gzip trailer's ISIZE (uncompressed size mod 2^32) is a good first size, bounded
  // by deflate's largest ratio (1032:1) since a corrupt file may hold any ISIZE.
  std::uint64_t first_size = std::uint64_t{1} << 16;
  if (compressed.size() >= 18) {
    const std::uint8_t* t = compressed.data() + compressed.size() - 4;
    const std::uint64_t isize = t[0] | (t[1] << 8) | (t[2] << 16) | (std::uint64_t{t[3]} << 24);
    first_size = std::max<std::uint64_t>(first_size, std::min<std::uint64_t>(isize, 1032 * compressed.size()));
  }
  out.resize(static_cast<std::size_t>(std::min(first_size, max_output + 1)));

  std::size_t in_pos = 0, out_pos = 0;
  for (;;) {
    if (out_pos == out.size()) {
      if (out.size() > max_output) {
        fail("{}: decompresses to more than {} bytes", context, max_output);
      }
      out.resize(std::min<std::uint64_t>(out.size() * 2, max_output + 1));
    }
    const std::size_t in_now = std::min(kChunk, compressed.size() - in_pos);
    const std::size_t out_now = std::min(kChunk, out.size() - out_pos);
    stream.next_in = const_cast<Bytef*>(compressed.data() + in_pos);
    stream.avail_in = static_cast<uInt>(in_now);
    stream.next_out = out.data() + out_pos;
    stream.avail_out = static_cast<uInt>(out_now);
    const int code = inflate(&stream, Z_NO_FLUSH);
    in_pos += in_now - stream.avail_in;
    out_pos += out_now - stream.avail_out;
    if (out_pos > max_output) fail("{}: decompresses to more than {} bytes", context, max_output);
    if (code == Z_STREAM_END) {
      if (in_pos == compressed.size()) break;
      // Another gzip member may follow (gzip files may be concatenations).
      if (!has_gzip_magic(compressed.subspan(in_pos))) {
        fail("{}: {} bytes of trailing garbage after the gzip stream", context,
             compressed.size() - in_pos);
      }
      inflateReset(&stream);
      continue;
    }
    if (code == Z_OK) continue;
    if (code == Z_BUF_ERROR && in_pos == compressed.size() && stream.avail_out > 0) {
      fail("{}: corrupt gzip stream: it ends early (truncated file)", context);
    }
    if (code == Z_BUF_ERROR) continue;
    fail("{}: corrupt gzip stream: {}", context, zlib_message(stream, code));
  }
  out.resize(out_pos);
  return out;
}

std::vector<std::uint8_t> gzip(std::span<const std::uint8_t> bytes, const std::string& context) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    fail("{}: zlib deflateInit2 failed", context);
  }
  struct End {
    z_stream* s;
    ~End() { deflateEnd(s); }
  } end{&stream};
  std::vector<std::uint8_t> out(deflateBound(&stream, static_cast<uLong>(std::min<std::size_t>(
                                                          bytes.size(), std::numeric_limits<uLong>::max()))) +
                                64);
  std::size_t in_pos = 0, out_pos = 0;
  for (;;) {
    if (out_pos == out.size()) out.resize(out.size() * 2);
    const std::size_t in_now = std::min(kChunk, bytes.size() - in_pos);
    const std::size_t out_now = std::min(kChunk, out.size() - out_pos);
    stream.next_in = const_cast<Bytef*>(bytes.data() + in_pos);
    stream.avail_in = static_cast<uInt>(in_now);
    stream.next_out = out.data() + out_pos;
    stream.avail_out = static_cast<uInt>(out_now);
    const bool last = in_pos + in_now == bytes.size();
    const int code = deflate(&stream, last ? Z_FINISH : Z_NO_FLUSH);
    in_pos += in_now - stream.avail_in;
    out_pos += out_now - stream.avail_out;
    if (code == Z_STREAM_END) break;
    if (code != Z_OK && code != Z_BUF_ERROR) fail("{}: gzip compression failed: {}", context, zlib_message(stream, code));
  }
  out.resize(out_pos);
  return out;
}

}  // namespace tg::nn::data::detail
