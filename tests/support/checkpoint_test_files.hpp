#pragma once
// File helpers for the checkpoint tests: raw byte files, so that tests can build safetensors files byte by byte.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "temp_dir.hpp"

namespace checkpoint_test {

using ::TempDir;

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::string u64_le(std::uint64_t n) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(n >> (8 * i));
  return out;
}

// A safetensors file: header length, header text as given (no padding added), buffer.
inline std::string safetensors_bytes(const std::string& header, const std::string& buffer) {
  return u64_le(header.size()) + header + buffer;
}

}  // namespace checkpoint_test
