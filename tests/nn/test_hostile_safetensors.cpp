// Hostile safetensors headers: nesting no header has is a tg::Error (never a write out
// of bounds), and a header of many entries parses in time linear in its size.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <tapegrad/nn/checkpoint.hpp>
#include <tapegrad/nn/safetensors.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"
#include "checkpoint_test_files.hpp"

using checkpoint_test::TempDir;

namespace {

std::string file_of(const TempDir& dir, const std::string& header, const std::string& buffer) {
  const std::string path = dir.file("hostile.safetensors");
  checkpoint_test::write_bytes(path, checkpoint_test::safetensors_bytes(header, buffer));
  return path;
}

}  // namespace

TEST_CASE("hostile safetensors: an object nested inside an entry is an error, not a write out of bounds") {
  TempDir dir;
  // A value three levels down inside objects: the reader used to count it as an element
  // of a shape array that was never opened.
  CHECK_ERROR(tg::nn::load_safetensors(file_of(dir, R"({"a":{"b":{"c":1}}})", "")),
              "header JSON has an object inside the entry 'a'; safetensors entries hold only strings and arrays");
  const std::string entry_with_object =
      R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":{"c":1}}})";
  CHECK_ERROR(tg::nn::load_safetensors(file_of(dir, entry_with_object, std::string(4, '\0'))),
              "header JSON has an object inside the entry 't'");
  CHECK_ERROR(tg::nn::load_checkpoint(file_of(dir, entry_with_object, std::string(4, '\0'))),
              "header JSON has an object inside the entry 't'");
  CHECK_ERROR(tg::nn::load_safetensors(file_of(dir, R"({"__metadata__":{"k":{}}})", "")),
              "has an object inside the entry '__metadata__'");
  CHECK_ERROR(tg::nn::load_safetensors(file_of(dir, R"({"w":[{"c":1}]})", "")),
              "has an object inside the entry 'w'");
  // Without the nested object the same entry loads.
  const auto tensors = tg::nn::load_safetensors(
      file_of(dir, R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", std::string(4, '\0')));
  CHECK(tensors.at("t").shape() == tg::Shape{1});
}

TEST_CASE("hostile safetensors: arrays are limited everywhere, not only in shapes") {
  TempDir dir;
  CHECK_ERROR(tg::nn::load_safetensors(file_of(dir, R"({"w":[1,2,3,4,5,6,7,8,9]})", "")),
              "header JSON has an array of more than 8 entries");
  CHECK_ERROR(tg::nn::load_safetensors(file_of(dir, R"({"w":[[1,2,3,4,5,6,7,8,9]]})", "")),
              "header JSON has an array of more than 8 entries");
  CHECK_ERROR(tg::nn::load_safetensors(file_of(dir, R"([[1]])", "")), "header JSON is a array, expected an object");
  CHECK_ERROR(tg::nn::load_safetensors(file_of(dir, R"({"w":{"shape":[[[1]]]}})", "")),
              "header JSON nests deeper than a safetensors header");
  CHECK_ERROR(tg::nn::load_safetensors(file_of(dir, R"({"w":{}} x)", "")), "header is not valid JSON");
}

// The reader used nlohmann's callback parser, which re-examines an object's members at
// every object end: 20,000 entries took 3 s and 80,000 took 137 s. The SAX parser reads
// this 100,000-entry header (5.9 MB) in a fraction of a second, so this case finishes
// quickly; before it ran for hours.
TEST_CASE("hostile safetensors: a header of 100000 zero-size tensors loads") {
  TempDir dir;
  const std::string path = dir.file("many.safetensors");
  std::map<std::string, tg::Tensor> tensors;
  const tg::Tensor empty = tg::zeros({0});
  for (int i = 0; i < 100'000; ++i) tensors.emplace(fmt::format("t{:06}", i), empty);
  tg::nn::save_safetensors(path, tensors);
  const auto loaded = tg::nn::load_safetensors(path);
  CHECK(loaded.size() == 100'000);
  CHECK(loaded.at("t099999").shape() == tg::Shape{0});
}
