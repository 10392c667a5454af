// libFuzzer target: the bytes are an IDX file that is gzipped (with the writer's gzip)
// before read_idx reads it, so mutations reach the parser behind the decompressor
// instead of breaking the gzip checksum.
#include <span>

#include "../../nn/src/data/gzip_buffer.hpp"
#include "fuzz_idx_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> compressed = tg::nn::data::detail::gzip(std::span(data, size), "fuzz");
  tg::fuzz::read_and_convert_idx(compressed.data(), compressed.size());
  return 0;
}
