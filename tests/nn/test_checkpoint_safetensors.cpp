// safetensors files written and read by tapegrad: values survive bit for bit, the bytes
// follow the format, and a failed save never damages an existing file.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/resource.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <tapegrad/nn/safetensors.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"
#include "checkpoint_test_files.hpp"

using checkpoint_test::TempDir;
using tg::Tensor;

namespace {

bool same_bytes(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || !(a.shape() == b.shape())) return false;
  const Tensor ca = a.contiguous(), cb = b.contiguous();
  return a.numel() == 0 || std::memcmp(ca.raw_data(), cb.raw_data(), a.numel() * tg::dtype_size(a.dtype())) == 0;
}

}  // namespace

TEST_CASE("checkpoint safetensors round trip keeps f32, f64 and i64 values bit for bit") {
  TempDir dir;
  const float f_nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> f = {-0.0f, 1.0f / 3, std::numeric_limits<float>::denorm_min(),
                                std::numeric_limits<float>::infinity(), f_nan, std::numeric_limits<float>::max()};
  const std::vector<double> d = {-0.0, 0.1, std::numeric_limits<double>::denorm_min(),
                                 -std::numeric_limits<double>::infinity()};
  const std::vector<std::int64_t> i = {std::numeric_limits<std::int64_t>::min(), -1, 0,
                                       std::numeric_limits<std::int64_t>::max()};
  const std::map<std::string, Tensor> saved = {{"layer.weight", tg::from_vector(f, {2, 3})},
                                               {"layer.bias", tg::from_vector(d, {4})},
                                               {"labels", tg::from_vector(i, {2, 1, 2})},
                                               {"random", tg::randn({3, 5, 7})}};
  tg::nn::save_safetensors(dir.file("t.safetensors"), saved);
  const auto loaded = tg::nn::load_safetensors(dir.file("t.safetensors"));
  REQUIRE(loaded.size() == saved.size());
  for (const auto& [name, tensor] : saved) {
    INFO(name);
    REQUIRE(loaded.count(name) == 1);
    CHECK(same_bytes(loaded.at(name), tensor));
  }
  CHECK(loaded.at("labels").shape() == tg::Shape{2, 1, 2});
}

TEST_CASE("checkpoint safetensors round trip of 0-d and empty tensors") {
  TempDir dir;
  tg::nn::save_safetensors(dir.file("t.safetensors"), {{"step", tg::scalar_tensor(42.0, tg::f64)},
                                                      {"none", tg::zeros({0, 3})},
                                                      {"none_i64", tg::zeros({2, 0, 4}, tg::i64)}});
  const auto loaded = tg::nn::load_safetensors(dir.file("t.safetensors"));
  CHECK(loaded.at("step").dim() == 0);
  CHECK(loaded.at("step").dtype() == tg::f64);
  CHECK(loaded.at("step").item() == 42.0);
  CHECK(loaded.at("none").shape() == tg::Shape{0, 3});
  CHECK(loaded.at("none_i64").shape() == tg::Shape{2, 0, 4});
  CHECK(loaded.at("none_i64").dtype() == tg::i64);
  // The header records shape [] for the scalar, as the format specifies for 0-rank tensors.
  CHECK(checkpoint_test::read_bytes(dir.file("t.safetensors")).find(R"("step":{"data_offsets":[0,8],"dtype":"F64","shape":[]})") !=
        std::string::npos);
}

TEST_CASE("checkpoint safetensors writes non-contiguous views in row-major order") {
  TempDir dir;
  const Tensor base = tg::from_vector(std::vector<float>{0, 1, 2, 3, 4, 5}, {2, 3});
  const Tensor transposed = tg::transpose(base, 0, 1);               // [[0, 3], [1, 4], [2, 5]]
  const Tensor every_other = tg::slice(base, 1, 0, 3, 2);             // [[0, 2], [3, 5]]
  const Tensor broadcast = tg::expand(tg::from_vector(std::vector<double>{7, 8}, {2, 1}), {2, 3});
  const Tensor second_row = tg::slice(base, 0, 1, 2);                 // offset 3
  REQUIRE_FALSE(transposed.is_contiguous());
  tg::nn::save_safetensors(dir.file("v.safetensors"),
                           {{"t", transposed}, {"s", every_other}, {"b", broadcast}, {"r", second_row}});
  const auto loaded = tg::nn::load_safetensors(dir.file("v.safetensors"));
  CHECK(loaded.at("t").shape() == tg::Shape{3, 2});
  CHECK(loaded.at("t").to_vector<float>() == std::vector<float>{0, 3, 1, 4, 2, 5});
  CHECK(loaded.at("s").to_vector<float>() == std::vector<float>{0, 2, 3, 5});
  CHECK(loaded.at("b").to_vector<double>() == std::vector<double>{7, 7, 7, 8, 8, 8});
  CHECK(loaded.at("r").to_vector<float>() == std::vector<float>{3, 4, 5});
  // The file stores only the elements of the views: 6 + 4 + 3 f32 and 6 f64 values.
  const std::string bytes = checkpoint_test::read_bytes(dir.file("v.safetensors"));
  std::uint64_t header_length = 0;
  std::memcpy(&header_length, bytes.data(), 8);
  CHECK(bytes.size() - 8 - header_length == 13 * 4 + 6 * 8);
}

TEST_CASE("checkpoint safetensors metadata round trip") {
  TempDir dir;
  const std::map<std::string, std::string> metadata = {
      {"epoch", "12"}, {"val_accuracy", "0.9132"}, {"note", "Grüße, \"quoted\"\nline"}, {"", "empty key"}};
  tg::nn::save_safetensors(dir.file("m.safetensors"), {{"w", tg::ones({2})}}, metadata);
  std::map<std::string, std::string> read = {{"stale", "entry"}};
  const auto loaded = tg::nn::load_safetensors(dir.file("m.safetensors"), &read);
  CHECK(read == metadata);
  CHECK(loaded.at("w").to_vector<float>() == std::vector<float>{1, 1});
  // No metadata: the "__metadata__" key is left out, and reading gives an empty map.
  tg::nn::save_safetensors(dir.file("n.safetensors"), {{"w", tg::ones({2})}});
  CHECK(checkpoint_test::read_bytes(dir.file("n.safetensors")).find("__metadata__") == std::string::npos);
  tg::nn::load_safetensors(dir.file("n.safetensors"), &read);
  CHECK(read.empty());
}

TEST_CASE("checkpoint safetensors file bytes: length, JSON header padded to 8, little-endian data") {
  TempDir dir;
  tg::nn::save_safetensors(dir.file("a.safetensors"), {{"a", tg::from_vector(std::vector<float>{1, 2, 3}, {3})}});
  // 55 bytes of JSON padded with one space to 56; 1.0f = 0x3f800000, 2.0f = 0x40000000, 3.0f = 0x40400000.
  const std::string header = R"({"a":{"data_offsets":[0,12],"dtype":"F32","shape":[3]}} )";
  const std::string expected = std::string("\x38\0\0\0\0\0\0\0", 8) + header +
                               std::string("\0\0\x80\x3f\0\0\0\x40\0\0\x40\x40", 12);
  CHECK(checkpoint_test::read_bytes(dir.file("a.safetensors")) == expected);

  // As in the reference writer, 8-byte dtypes come first so every tensor stays aligned.
  tg::nn::save_safetensors(dir.file("b.safetensors"),
                           {{"a", tg::ones({1})}, {"b", tg::ones({1}, tg::f64)}, {"c", tg::ones({1}, tg::i64)}});
  const std::string bytes = checkpoint_test::read_bytes(dir.file("b.safetensors"));
  CHECK(bytes.find(R"("a":{"data_offsets":[16,20])") != std::string::npos);
  CHECK(bytes.find(R"("b":{"data_offsets":[0,8])") != std::string::npos);
  CHECK(bytes.find(R"("c":{"data_offsets":[8,16])") != std::string::npos);
}

TEST_CASE("checkpoint safetensors reads a file laid out by the reference implementation") {
  // The serialization test of huggingface/safetensors: "attn.0", F32 [1, 2, 3], values
  // 0..5, a 64-byte header with the fields in the writer's order (dtype, shape, offsets).
  TempDir dir;
  std::string buffer;
  for (float v : {0.0f, 1.0f, 2.0f, 3.0f, 4.0f, 5.0f}) buffer.append(reinterpret_cast<const char*>(&v), 4);
  checkpoint_test::write_bytes(dir.file("ref.safetensors"),
                               checkpoint_test::safetensors_bytes(
                                   R"({"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}})", buffer));
  const auto loaded = tg::nn::load_safetensors(dir.file("ref.safetensors"));
  CHECK(loaded.at("attn.0").shape() == tg::Shape{1, 2, 3});
  CHECK(loaded.at("attn.0").to_vector<float>() == std::vector<float>{0, 1, 2, 3, 4, 5});
}

TEST_CASE("checkpoint safetensors save rejects reserved names and undefined tensors") {
  TempDir dir;
  CHECK_ERROR(tg::nn::save_safetensors(dir.file("x"), {{"__metadata__", tg::ones({1})}}),
              "the tensor name '__metadata__' is reserved for metadata");
  CHECK_ERROR(tg::nn::save_safetensors(dir.file("x"), {{"w", Tensor{}}}), "tensor 'w' is undefined");
  CHECK_ERROR(tg::nn::save_safetensors(dir.file("x"), {{"w", tg::ones({1})}}, {{"bad", "\xff"}}),
              "is not valid UTF-8");
  CHECK(dir.entries().empty());
}

TEST_CASE("checkpoint safetensors save replaces an existing file") {
  TempDir dir;
  tg::nn::save_safetensors(dir.file("c.safetensors"), {{"w", tg::ones({100})}});
  tg::nn::save_safetensors(dir.file("c.safetensors"), {{"v", tg::zeros({2}, tg::f64)}});
  const auto loaded = tg::nn::load_safetensors(dir.file("c.safetensors"));
  CHECK(loaded.size() == 1);
  CHECK(loaded.at("v").to_vector<double>() == std::vector<double>{0, 0});
  CHECK(dir.entries() == std::set<std::string>{"c.safetensors"});
}

TEST_CASE("checkpoint safetensors failed saves leave no temporary file") {
  TempDir dir;
  const std::string missing = dir.file("no/such/dir/c.safetensors");
  CHECK_ERROR(tg::nn::save_safetensors(missing, {{"w", tg::ones({1})}}),
              "save_safetensors: cannot write '" + missing + "'");
  CHECK_ERROR(tg::nn::save_safetensors(missing, {{"w", tg::ones({1})}}), "No such file or directory");

  std::filesystem::create_directory(dir.file("a_directory"));
  CHECK_ERROR(tg::nn::save_safetensors(dir.file("a_directory"), {{"w", tg::ones({1})}}),
              "save_safetensors: cannot rename the temporary file over '" + dir.file("a_directory") +
                  "': Is a directory");
  CHECK(dir.entries() == std::set<std::string>{"a_directory"});
  CHECK(std::filesystem::is_empty(dir.file("a_directory")));
}

TEST_CASE("checkpoint safetensors a save failing mid-write leaves the existing file untouched") {
  TempDir dir;
  const std::string path = dir.file("c.safetensors");
  tg::nn::save_safetensors(path, {{"w", tg::full({4}, 1.5)}});
  const std::string before = checkpoint_test::read_bytes(path);

  // A file size limit makes the write of a 1 MB tensor fail with EFBIG partway through.
  rlimit old_limit{};
  REQUIRE(getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
  rlimit small = old_limit;
  small.rlim_cur = 4096;
  auto old_handler = signal(SIGXFSZ, SIG_IGN);
  REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string message;
  try {
    tg::nn::save_safetensors(path, {{"w", tg::zeros({256 * 1024})}});
  } catch (const tg::Error& e) {
    message = e.what();
  }
  setrlimit(RLIMIT_FSIZE, &old_limit);
  signal(SIGXFSZ, old_handler);

  CHECK(message.find("cannot write '" + path + "'") != std::string::npos);
  CHECK(message.find("File too large") != std::string::npos);
  CHECK(checkpoint_test::read_bytes(path) == before);
  CHECK(dir.entries() == std::set<std::string>{"c.safetensors"});
  CHECK(tg::nn::load_safetensors(path).at("w").to_vector<float>() == std::vector<float>{1.5, 1.5, 1.5, 1.5});
}
