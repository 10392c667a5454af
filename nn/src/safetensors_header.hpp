#pragma once
// The JSON header of a safetensors file, parsed in one linear pass (see
// safetensors_header.cpp for the limits it enforces while reading).
#include <nlohmann/json.hpp>
#include <string>

namespace tg::nn::safetensors {

// Parses text, the header of the file at path (named in errors). Throws tg::Error
// ("load_safetensors: '<path>': ...") on invalid JSON, a duplicate key, or nesting and
// arrays that no safetensors header has. The result may still be any JSON object; the
// caller checks its entries.
nlohmann::json parse_header(const std::string& path, const std::string& text);

}  // namespace tg::nn::safetensors
