// The IDX reader: round trips through write_idx (plain and gzip read the same), every
// validation error with its message, and the byte layout of the format itself.
#include <doctest/doctest.h>

#include <tapegrad/nn/data/idx.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"
#include "data_test_files.hpp"

namespace data = tg::nn::data;
using data::IdxArray;

// text may be a std::string (messages that hold temporary paths).
namespace {

std::vector<std::uint8_t> iota_bytes(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return v;
}

// The header of an IDX file: 00 00 type ndims, then each dim as big-endian u32.
std::vector<std::uint8_t> header(std::uint8_t type, std::vector<std::uint32_t> dims) {
  std::vector<std::uint8_t> h{0, 0, type, static_cast<std::uint8_t>(dims.size())};
  for (std::uint32_t d : dims) {
    for (int s = 24; s >= 0; s -= 8) h.push_back(static_cast<std::uint8_t>(d >> s));
  }
  return h;
}

}  // namespace

TEST_CASE("data idx: write_idx lays out the format: zero bytes, type, ndims, big-endian dims and values") {
  TempDir dir;
  const std::vector<std::int32_t> values{1, -2, 0x01020304};
  data::write_idx(dir.file("a.idx"), IdxArray::from_i32({3}, values));
  const std::vector<std::uint8_t> expected{0, 0, 0x0C, 1, 0, 0, 0, 3,           // magic, dims
                                           0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFE,  // 1, -2
                                           1, 2, 3, 4};
  CHECK(read_bytes(dir.file("a.idx")) == expected);
}

TEST_CASE("data idx: round trips of every type, plain and gzip read the same") {
  TempDir dir;
  const std::vector<std::uint8_t> pixels = iota_bytes(2 * 3 * 4);
  const std::vector<float> floats{0.5f, -1.25f, 3e7f, -0.0f, 1e-30f, 42.0f};
  const std::vector<double> doubles{0.1, -2.5e300, 7.0};
  const std::vector<IdxArray> arrays{IdxArray::from_u8({2, 3, 4}, pixels), IdxArray::from_i32({1, 2}, std::vector<std::int32_t>{-7, 2147483647}),
                                     IdxArray::from_f32({3, 2}, floats), IdxArray::from_f64({3}, doubles)};
  for (const IdxArray& a : arrays) {
    CAPTURE(data::idx_type_name(a.type));
    data::write_idx(dir.file("plain"), a);
    data::write_idx(dir.file("packed"), a, data::IdxCompression::gzip);
    const std::vector<std::uint8_t> packed = read_bytes(dir.file("packed"));
    REQUIRE(packed.size() > 2);
    CHECK(packed[0] == 0x1f);  // really gzip
    CHECK(packed[1] == 0x8b);
    const IdxArray plain = data::read_idx(dir.file("plain"));
    const IdxArray unpacked = data::read_idx(dir.file("packed"));
    CHECK(plain.type == a.type);
    CHECK(plain.dims == a.dims);
    CHECK(plain.raw == a.raw);
    CHECK(unpacked.type == a.type);
    CHECK(unpacked.dims == a.dims);
    CHECK(unpacked.raw == a.raw);
  }
  const IdxArray f = data::read_idx(dir.file("plain"));  // the f64 one
  CHECK(f.value(1) == -2.5e300);
}

TEST_CASE("data idx: gzip is detected by its magic bytes, not the file name") {
  TempDir dir;
  const IdxArray a = IdxArray::from_u8({4}, std::vector<std::uint8_t>{9, 8, 7, 6});
  data::write_idx(dir.file("looks_plain.idx"), a, data::IdxCompression::gzip);
  data::write_idx(dir.file("looks_packed.gz"), a);
  CHECK(data::read_idx(dir.file("looks_plain.idx")).raw == a.raw);
  CHECK(data::read_idx(dir.file("looks_packed.gz")).raw == a.raw);
}

TEST_CASE("data idx: i8 and i16 values are read signed and big-endian") {
  TempDir dir;
  std::vector<std::uint8_t> bytes = header(0x0B, {2});
  bytes.insert(bytes.end(), {0xFF, 0xFE, 0x01, 0x00});  // -2, 256
  write_bytes(dir.file("i16"), bytes);
  const IdxArray a = data::read_idx(dir.file("i16"));
  CHECK(a.value(0) == -2.0);
  CHECK(a.value(1) == 256.0);
  bytes = header(0x09, {1});
  bytes.push_back(0x80);
  write_bytes(dir.file("i8"), bytes);
  CHECK(data::read_idx(dir.file("i8")).value(0) == -128.0);
}

TEST_CASE("data idx: to_tensor converts to f32 or i64 with the dims as shape") {
  const IdxArray a = IdxArray::from_u8({2, 2}, std::vector<std::uint8_t>{0, 1, 254, 255});
  const tg::Tensor t = a.to_tensor();
  CHECK(t.dtype() == tg::f32);
  CHECK(t.shape() == tg::Shape{2, 2});
  CHECK(t.to_vector<float>() == std::vector<float>{0, 1, 254, 255});
  const tg::Tensor labels = a.to_tensor(tg::i64);
  CHECK(labels.to_vector<std::int64_t>() == std::vector<std::int64_t>{0, 1, 254, 255});
  CHECK_ERROR(IdxArray::from_f32({1}, std::vector<float>{0.5f}).to_tensor(tg::i64),
              "IdxArray::to_tensor: cannot convert f32 values to i64");
}

TEST_CASE("data idx: every corrupt header is an error naming the file and the fault") {
  TempDir dir;
  const std::string path = dir.file("bad.idx");
  auto read_with = [&](const std::vector<std::uint8_t>& bytes) {
    write_bytes(path, bytes);
    return data::read_idx(path);
  };
  CHECK_ERROR(data::read_idx(dir.file("missing.idx")), "read_idx: " + dir.file("missing.idx") + ": cannot open: No such file");
  CHECK_ERROR(read_with({0, 0}), "read_idx: " + path + ": truncated: 2 bytes, shorter than the 4-byte magic");
  CHECK_ERROR(read_with({0x12, 0x34, 0x08, 0x01, 0, 0, 0, 0}),
              ": bad magic: first bytes are 12 34 08 01, expected 00 00 <type> <number of dims>");
  CHECK_ERROR(read_with({0, 0, 0x07, 1, 0, 0, 0, 0}), ": unknown type byte 0x07 (expected 0x08 u8");
  CHECK_ERROR(read_with({0, 0, 0x08, 0}), ": header declares 0 dims, expected 1 to 8");
  CHECK_ERROR(read_with(header(0x08, {1, 1, 1, 1, 1, 1, 1, 1, 1})), ": header declares 9 dims, expected 1 to 8");
  CHECK_ERROR(read_with({0, 0, 0x08, 3, 0, 0, 0xEA, 0x60, 0, 0}),
              ": truncated: header declares 3 dims (16 header bytes), file has 10 bytes");
  // 2^32-1 cubed overflows 64 bits; the check must not wrap around to a small number.
  CHECK_ERROR(read_with(header(0x08, {0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF})),
              ": header declares 4294967295 x 4294967295 x 4294967295 u8 values, more than the limit of 2147483648 bytes");
  CHECK_ERROR(read_with(header(0x0E, {1u << 16, 1u << 16})),
              ": header declares 65536 x 65536 f64 values, more than the limit of 2147483648 bytes");
  // (2^32 - 1) x 0: a zero dim anywhere makes the product 0, whatever came before.
  CHECK(read_with(header(0x08, {0xFFFFFFFF, 0})).numel() == 0);
}

TEST_CASE("data idx: truncated data and trailing bytes are errors stating both sizes") {
  TempDir dir;
  const std::string path = dir.file("images.idx");
  std::vector<std::uint8_t> bytes = header(0x08, {60000, 28, 28});
  bytes.resize(bytes.size() + 1000);
  write_bytes(path, bytes);
  CHECK_ERROR(data::read_idx(path), "read_idx: " + path +
                                        ": truncated: header declares 60000 x 28 x 28 u8 values (47040000 bytes), "
                                        "file has 1000 after the 16-byte header");
  bytes = header(0x0C, {2, 3});
  bytes.resize(bytes.size() + 24 + 5);
  write_bytes(path, bytes);
  CHECK_ERROR(data::read_idx(path), ": 5 trailing bytes: header declares 2 x 3 i32 values (24 bytes), file has 29 after the 12-byte header");
}

TEST_CASE("data idx: gzip files are validated after decompression, and corrupt streams are errors") {
  TempDir dir;
  const std::string path = dir.file("images.gz");
  data::write_idx(path, IdxArray::from_u8({10, 28, 28}, iota_bytes(10 * 28 * 28)), data::IdxCompression::gzip);
  std::vector<std::uint8_t> good = read_bytes(path);
  REQUIRE(good.size() > 40);

  std::vector<std::uint8_t> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(good.size() / 2));
  write_bytes(path, cut);
  CHECK_ERROR(data::read_idx(path), "read_idx: " + path + " (gzip): corrupt gzip stream: it ends early (truncated file)");

  std::vector<std::uint8_t> flipped = good;
  for (std::size_t i = 12; i < 20; ++i) flipped[i] ^= 0x5A;  // inside the deflate data
  write_bytes(path, flipped);
  CHECK_ERROR(data::read_idx(path), " (gzip): corrupt gzip stream: ");

  std::vector<std::uint8_t> bad_crc = good;
  bad_crc[bad_crc.size() - 8] ^= 0xFF;  // the CRC-32 in the trailer
  write_bytes(path, bad_crc);
  CHECK_ERROR(data::read_idx(path), " (gzip): corrupt gzip stream: incorrect data check");

  std::vector<std::uint8_t> garbage = good;
  garbage.insert(garbage.end(), {1, 2, 3});
  write_bytes(path, garbage);
  CHECK_ERROR(data::read_idx(path), " (gzip): 3 bytes of trailing garbage after the gzip stream");

  // Two concatenated gzip members are one stream (as gzip(1) reads them): here the
  // second member holds trailing bytes, so the IDX check reports them.
  std::vector<std::uint8_t> twice = good;
  twice.insert(twice.end(), good.begin(), good.end());
  write_bytes(path, twice);
  CHECK_ERROR(data::read_idx(path), " (gzip): 7856 trailing bytes: header declares 10 x 28 x 28 u8 values (7840 bytes)");
}

TEST_CASE("data idx: write_idx rejects inconsistent arrays") {
  TempDir dir;
  IdxArray a = IdxArray::from_u8({2, 2}, iota_bytes(4));
  a.raw.pop_back();
  CHECK_ERROR(data::write_idx(dir.file("x"), a), "write_idx: " + dir.file("x") + ": 3 bytes of u8 values for dims [2 x 2], expected 4");
  CHECK_ERROR(data::write_idx(dir.file("x"), IdxArray{}), ": 0 dims, expected 1 to 8");
  CHECK_ERROR(IdxArray::from_u8({2, 3}, iota_bytes(5)), "IdxArray::from_u8: 5 values given for dims [2 x 3] (6 values)");
}
