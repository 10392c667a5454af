// Hostile IDX headers: every product of dims is overflow-checked, including the dims
// of an empty array (a zero dim does not make the others harmless: they define strides).
#include <doctest/doctest.h>

#include <limits>

#include <tapegrad/nn/data/idx.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"
#include "data_test_files.hpp"

namespace {

// An IDX file of u8 values: 00 00 08 ndims, the dims as big-endian u32, no data.
std::vector<std::uint8_t> u8_header(std::vector<std::uint32_t> dims) {
  std::vector<std::uint8_t> bytes{0, 0, 0x08, static_cast<std::uint8_t>(dims.size())};
  for (std::uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) bytes.push_back(static_cast<std::uint8_t>(d >> s));
  return bytes;
}

}  // namespace

TEST_CASE("hostile idx: an empty array whose other dims overflow is an error") {
  TempDir dir;
  const std::string path = dir.file("hostile.idx");
  write_bytes(path, u8_header({0xFFFFFFFF, 0xFFFFFFFF, 0}));
  CHECK_ERROR(tg::nn::data::read_idx(path), "read_idx: " + path +
                                            ": header declares 4294967295 x 4294967295 x 0 u8 values: an empty array, "
                                            "but its nonzero dims multiply to more than 2^63 bytes");
  write_bytes(path, u8_header({0, 0xFFFFFFFF, 0xFFFFFFFF}));
  CHECK_ERROR(tg::nn::data::read_idx(path), "its nonzero dims multiply to more than 2^63 bytes");
  // Empty arrays whose other dims fit still load, with their dims.
  write_bytes(path, u8_header({0xFFFFFFFF, 0x7FFFFFFF, 0}));
  const tg::nn::data::IdxArray array = tg::nn::data::read_idx(path);
  CHECK(array.numel() == 0);
  CHECK(array.dims == std::vector<std::int64_t>{0xFFFFFFFF, 0x7FFFFFFF, 0});
}

TEST_CASE("hostile idx: IdxArray::numel refuses dims whose product overflows") {
  tg::nn::data::IdxArray array;
  const std::int64_t big = std::int64_t{1} << 32;
  array.dims = {big, big};
  CHECK_ERROR(array.numel(), "IdxArray::numel: dims [4294967296 x 4294967296] multiply to more than 2^63 values");
  array.dims = {0, big, big};
  CHECK_ERROR(array.numel(), "IdxArray::numel: dims [0 x 4294967296 x 4294967296] multiply to more than 2^63");
  array.dims = {big, 0, big / 4};
  CHECK(array.numel() == 0);
}
