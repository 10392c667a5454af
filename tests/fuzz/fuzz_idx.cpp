// libFuzzer target: read_idx on arbitrary bytes (plain, or gzip when they start with its
// magic), then the conversions the data loader makes.
#include "fuzz_idx_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tg::fuzz::read_and_convert_idx(data, size);
  return 0;
}
