#pragma once
// Whole-buffer gzip compression and decompression on zlib, for the IDX reader/writer.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tg::nn::data::detail {

bool has_gzip_magic(std::span<const std::uint8_t> bytes);

// Decompresses every gzip member in `compressed`. Throws tg::Error prefixed by `context`
// on a corrupt or truncated stream, trailing garbage, or output beyond max_output bytes.
std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> compressed, std::uint64_t max_output,
                                 const std::string& context);

std::vector<std::uint8_t> gzip(std::span<const std::uint8_t> bytes, const std::string& context);

}  // namespace tg::nn::data::detail
