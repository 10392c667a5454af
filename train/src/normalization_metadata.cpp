#include <tapegrad/train/normalization_metadata.hpp>

#include <nlohmann/json.hpp>

#include <tapegrad/error.hpp>

namespace tg::train {

namespace {

std::vector<double> parse_numbers(const std::map<std::string, std::string>& metadata, const std::string& key) {
  const auto it = metadata.find(key);
  TG_CHECK(it != metadata.end(), "checkpoint metadata: '{}' is missing (the other normalization key is there)", key);
  const nlohmann::json parsed = nlohmann::json::parse(it->second, nullptr, /*allow_exceptions=*/false);
  TG_CHECK(parsed.is_array() && !parsed.empty(), "checkpoint metadata: '{}' is '{}', expected a JSON array of numbers",
           key, it->second);
  std::vector<double> numbers;
  for (const auto& value : parsed) {
    TG_CHECK(value.is_number(), "checkpoint metadata: '{}' is '{}', expected a JSON array of numbers", key,
             it->second);
    numbers.push_back(value.get<double>());
  }
  return numbers;
}

}  // namespace

void add_normalization_metadata(const nn::data::Normalization& norm, std::map<std::string, std::string>& metadata) {
  metadata["input_mean"] = nlohmann::json(norm.mean).dump();
  metadata["input_std"] = nlohmann::json(norm.std).dump();
}

std::optional<nn::data::Normalization> normalization_from_metadata(const std::map<std::string, std::string>& metadata) {
  if (!metadata.contains("input_mean") && !metadata.contains("input_std")) return std::nullopt;
  nn::data::Normalization norm{parse_numbers(metadata, "input_mean"), parse_numbers(metadata, "input_std")};
  TG_CHECK(norm.mean.size() == norm.std.size(), "checkpoint metadata: input_mean has {} channels, input_std {}",
           norm.mean.size(), norm.std.size());
  return norm;
}

}  // namespace tg::train
