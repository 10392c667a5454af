// A corrupt or hostile safetensors file is a tg::Error naming the file and the problem,
// never a crash, a silent misread or an allocation sized by an unchecked field.
#include <doctest/doctest.h>

#include <filesystem>
#include <tapegrad/nn/safetensors.hpp>
#include <tapegrad/tapegrad.hpp>

#include "checkpoint_test_files.hpp"

using checkpoint_test::safetensors_bytes;
using checkpoint_test::TempDir;

namespace {

// Loads a file made of the given header text and data buffer; returns the error message.
std::string load_error(const std::string& header, const std::string& buffer = std::string(8, '\0')) {
  TempDir dir;
  const std::string path = dir.file("bad.safetensors");
  checkpoint_test::write_bytes(path, safetensors_bytes(header, buffer));
  try {
    tg::nn::load_safetensors(path);
  } catch (const tg::Error& e) {
    const std::string message = e.what();
    CHECK(message.find("load_safetensors: '" + path + "': ") == 0);
    return message;
  }
  return "no error";
}

std::string load_raw_error(const std::string& bytes) {
  TempDir dir;
  checkpoint_test::write_bytes(dir.file("bad.safetensors"), bytes);
  try {
    tg::nn::load_safetensors(dir.file("bad.safetensors"));
  } catch (const tg::Error& e) {
    return e.what();
  }
  return "no error";
}

// One F32 tensor of 2 elements: the template most corruptions edit.
std::string entry(const std::string& name, const std::string& dtype, const std::string& shape,
                  const std::string& offsets) {
  return "\"" + name + "\":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
}

}  // namespace

#define CHECK_CONTAINS(message, text) CHECK_MESSAGE((message).find(text) != std::string::npos, message)

TEST_CASE("checkpoint corrupt: the valid template loads") {
  CHECK(load_error("{" + entry("w", "\"F32\"", "[2]", "[0,8]") + "}") == "no error");
}

TEST_CASE("checkpoint corrupt: truncated files") {
  CHECK_CONTAINS(load_raw_error(std::string("\x10\0\0", 3)), "file is 3 bytes, too short for the 8-byte header length");
  CHECK_CONTAINS(load_raw_error(""), "file is 0 bytes");
  // A real file cut short: first inside the data buffer, then inside the header.
  TempDir dir;
  const std::string path = dir.file("cut.safetensors");
  tg::nn::save_safetensors(path, {{"w", tg::ones({4})}});
  const std::string whole = checkpoint_test::read_bytes(path);
  CHECK_CONTAINS(load_raw_error(whole.substr(0, whole.size() - 4)),
                 "tensor 'w' has data_offsets [0, 16] past the end of the 12-byte data buffer");
  CHECK_CONTAINS(load_raw_error(whole.substr(0, 20)),
                 "header length " + std::to_string(whole.size() - 24) + " reaches past the end of the 20-byte file");
}

TEST_CASE("checkpoint corrupt: header length beyond the file or above 100 MB") {
  CHECK_CONTAINS(load_raw_error(checkpoint_test::u64_le(1000) + "{}"),
                 "header length 1000 reaches past the end of the 10-byte file");
  CHECK_CONTAINS(load_raw_error(checkpoint_test::u64_le(100'000'001) + "{}"),
                 "header length 100000001 exceeds the format's limit of 100000000 bytes");
  CHECK_CONTAINS(load_raw_error(checkpoint_test::u64_le(~std::uint64_t{0}) + "{}"),
                 "header length 18446744073709551615 exceeds");
}

TEST_CASE("checkpoint corrupt: bad JSON") {
  CHECK_CONTAINS(load_error(R"({"w": {"dtype": "F32",)"), "header is not valid JSON");
  CHECK_CONTAINS(load_error(""), "header is not valid JSON");
  CHECK_CONTAINS(load_error("{\"w\xff\": 1}"), "header is not valid JSON");  // not UTF-8
  CHECK_CONTAINS(load_error("[1, 2]"), "header JSON is a array, expected an object");
  CHECK_CONTAINS(load_error("{" + entry("w", "\"F32\"", "[2]", "[0,8]") + "," + entry("w", "\"F32\"", "[2]", "[0,8]") + "}"),
                 "header JSON has the key 'w' twice");
  CHECK_CONTAINS(load_error(R"({"w": {"dtype": "F32", "dtype": "F64", "shape": [1], "data_offsets": [0, 8]}})"),
                 "has the key 'dtype' twice");
  CHECK_CONTAINS(load_error("{\"w\": " + std::string(1000, '[') + std::string(1000, ']') + "}"),
                 "header JSON nests deeper than a safetensors header");
  CHECK_CONTAINS(load_error("{" + entry("w", "\"F32\"", "[1,1,1,1,1,1,1,1,2]", "[0,8]") + "}"),
                 "an array of more than 8 entries (tapegrad tensors have at most 8 dims)");
}

TEST_CASE("checkpoint corrupt: missing and ill-typed fields") {
  CHECK_CONTAINS(load_error(R"({"w": {"shape": [2], "data_offsets": [0, 8]}})"), "tensor 'w' has no \"dtype\" field");
  CHECK_CONTAINS(load_error(R"({"w": {"dtype": "F32", "data_offsets": [0, 8]}})"), "tensor 'w' has no \"shape\" field");
  CHECK_CONTAINS(load_error(R"({"w": {"dtype": "F32", "shape": [2]}})"), "tensor 'w' has no \"data_offsets\" field");
  CHECK_CONTAINS(load_error(R"({"w": [1, 2]})"), "tensor 'w' is described by a array, expected an object");
  CHECK_CONTAINS(load_error("{" + entry("w", "4", "[2]", "[0,8]") + "}"), "tensor 'w' has a \"dtype\" that is not a string (4)");
  CHECK_CONTAINS(load_error("{" + entry("w", "\"F32\"", "\"2\"", "[0,8]") + "}"),
                 "tensor 'w' has a \"shape\" that is not an array (\"2\")");
  CHECK_CONTAINS(load_error("{" + entry("w", "\"F32\"", "[2]", "[0,8,8]") + "}"),
                 "tensor 'w' has \"data_offsets\" [0,8,8], expected [begin, end]");
  CHECK_CONTAINS(load_error("{" + entry("w", "\"F32\"", "[2]", "[0,\"8\"]") + "}"),
                 "tensor 'w' has a data offset that is not a non-negative integer (\"8\")");
  CHECK_CONTAINS(load_error(R"({"__metadata__": {"epoch": 3}})", ""),
                 "metadata entry 'epoch' is a number, expected a string");
  CHECK_CONTAINS(load_error(R"({"__metadata__": "epoch 3"})", ""), "\"__metadata__\" is a string, expected an object");
}

TEST_CASE("checkpoint corrupt: wrong or unsupported dtype") {
  CHECK_CONTAINS(load_error("{" + entry("w", "\"F16\"", "[4]", "[0,8]") + "}"),
                 "tensor 'w' has unsupported dtype F16; tapegrad reads F32, F64 and I64");
  CHECK_CONTAINS(load_error("{" + entry("w", "\"BF16\"", "[4]", "[0,8]") + "}"), "unsupported dtype BF16");
  CHECK_CONTAINS(load_error("{" + entry("w", "\"U8\"", "[8]", "[0,8]") + "}"), "unsupported dtype U8");
  CHECK_CONTAINS(load_error("{" + entry("w", "\"f32\"", "[2]", "[0,8]") + "}"),
                 "tensor 'w' has unknown dtype 'f32'; tapegrad reads F32, F64 and I64");
  // The dtype decides the byte count: 2 F64 elements do not fit in 8 bytes.
  CHECK_CONTAINS(load_error("{" + entry("w", "\"F64\"", "[2]", "[0,8]") + "}"),
                 "tensor 'w' of dtype F64 and shape [2] needs 16 bytes, but data_offsets [0, 8] hold 8");
}

TEST_CASE("checkpoint corrupt: negative, fractional and overflowing shapes") {
  CHECK_CONTAINS(load_error("{" + entry("w", "\"F32\"", "[-2]", "[0,8]") + "}"), "tensor 'w' has a negative shape entry (-2)");
  CHECK_CONTAINS(load_error("{" + entry("w", "\"F32\"", "[2.0]", "[0,8]") + "}"),
                 "tensor 'w' has a shape entry that is not a non-negative integer (2.0)");
  CHECK_CONTAINS(load_error("{" + entry("w", "\"F32\"", "[4294967296,4294967296]", "[0,8]") + "}"),
                 "tensor 'w' has shape [4294967296,4294967296] whose element count overflows");
  // Zero dims make an empty tensor, but the other dims still define strides.
  CHECK_CONTAINS(load_error("{" + entry("w", "\"F32\"", "[0,4294967296,4294967296]", "[0,0]") + "}", ""),
                 "element count overflows");
  CHECK_CONTAINS(load_error("{" + entry("w", "\"F32\"", "[99999999999999999999]", "[0,8]") + "}"),
                 "not a non-negative integer");
}

TEST_CASE("checkpoint corrupt: huge declared sizes are refused before any allocation") {
  // 10^12 floats would be 4 TB; the file has 8 bytes of data.
  CHECK_CONTAINS(load_error("{" + entry("w", "\"F32\"", "[1000000,1000000]", "[0,4000000000000]") + "}"),
                 "tensor 'w' has data_offsets [0, 4000000000000] past the end of the 8-byte data buffer");
  CHECK_CONTAINS(load_error("{" + entry("w", "\"F32\"", "[1000000,1000000]", "[0,8]") + "}"),
                 "needs 4000000000000 bytes, but data_offsets [0, 8] hold 8");
  CHECK_CONTAINS(load_error("{" + entry("w", "\"F64\"", "[4611686018427387903]", "[0,8]") + "}"),
                 "needs more than 2^64 bytes");
}

TEST_CASE("checkpoint corrupt: out-of-range, reversed, overlapping offsets, holes and trailing bytes") {
  CHECK_CONTAINS(load_error("{" + entry("w", "\"F32\"", "[2]", "[8,16]") + "}"),
                 "tensor 'w' has data_offsets [8, 16] past the end of the 8-byte data buffer");
  CHECK_CONTAINS(load_error("{" + entry("w", "\"F32\"", "[0]", "[8,0]") + "}"),
                 "tensor 'w' has data_offsets [8, 0] with begin after end");
  CHECK_CONTAINS(load_error("{" + entry("a", "\"F32\"", "[2]", "[0,8]") + "," + entry("b", "\"F32\"", "[2]", "[4,12]") + "}",
                            std::string(12, '\0')),
                 "tensors 'a' [0, 8] and 'b' [4, 12] overlap in the data buffer");
  CHECK_CONTAINS(load_error("{" + entry("a", "\"F32\"", "[2]", "[0,8]") + "," + entry("b", "\"F32\"", "[2]", "[0,8]") + "}"),
                 "tensors 'a' [0, 8] and 'b' [0, 8] overlap");
  CHECK_CONTAINS(load_error("{" + entry("a", "\"F32\"", "[1]", "[0,4]") + "," + entry("b", "\"F32\"", "[1]", "[8,12]") + "}",
                            std::string(12, '\0')),
                 "bytes [4, 8) of the data buffer belong to no tensor (a hole before 'b')");
  CHECK_CONTAINS(load_error("{" + entry("a", "\"F32\"", "[1]", "[4,8]") + "}"),
                 "bytes [0, 4) of the data buffer belong to no tensor");
  CHECK_CONTAINS(load_error("{" + entry("a", "\"F32\"", "[1]", "[0,4]") + "}"),
                 "4 trailing bytes after the last tensor: the tensors cover [0, 4) of the 8-byte data buffer");
}

TEST_CASE("checkpoint corrupt: a path that is missing or not a file") {
  TempDir dir;
  CHECK_THROWS_WITH_AS(tg::nn::load_safetensors(dir.file("missing.safetensors")),
                       doctest::Contains("cannot open"), tg::Error);
  CHECK_THROWS_WITH_AS(tg::nn::load_safetensors(dir.path().string()), doctest::Contains("not a regular file"), tg::Error);
}
