#pragma once
// Shared by the fuzz targets and the seed generator: the readers under test take file
// paths, so each input is written to one scratch file per process; a tg::Error is the
// expected outcome of a bad input, anything else (a crash, a sanitizer report, another
// exception) is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>
#include <tapegrad/error.hpp>
#include <tapegrad/nn/nn.hpp>

namespace tg::fuzz {

// The scratch file of this process, removed at exit.
inline const std::string& scratch_path() {
  static const std::string path = [] {
    std::string p = (std::filesystem::temp_directory_path() / ("tapegrad-fuzz-" + std::to_string(::getpid()))).string();
    static std::string removed_at_exit;
    removed_at_exit = p;
    std::atexit([] { std::remove(removed_at_exit.c_str()); });
    return p;
  }();
  return path;
}

inline const std::string& write_scratch(const std::uint8_t* data, std::size_t size) {
  const std::string& path = scratch_path();
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, file) != size) std::abort();
  std::fclose(file);
  return path;
}

// The module checkpoints are loaded into: a parameter pair and a BatchNorm's buffers
// (including its integer counter), so that names, shapes and dtypes all matter.
inline nn::ModulePtr checkpoint_model() {
  return std::make_shared<nn::Sequential>(
      std::vector<nn::ModulePtr>{std::make_shared<nn::Linear>(4, 3), std::make_shared<nn::BatchNorm1d>(3)});
}

// The search a fuzzed results file must belong to.
inline nlohmann::json results_header() { return {{"model", "mlp"}, {"optimizer", "adam"}, {"seed", 7}}; }

}  // namespace tg::fuzz
