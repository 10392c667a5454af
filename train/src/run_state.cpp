#include "run_state.hpp"

#include <fmt/format.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <string_view>

#include <tapegrad/error.hpp>
#include <tapegrad/nn/safetensors.hpp>

namespace tg::train::detail {

namespace {

constexpr std::string_view kFormatKey = "tapegrad_run_state";
constexpr std::string_view kFormatVersion = "1";

struct Section {
  std::string_view prefix;
  TensorMap RunState::*member;
};
constexpr Section kSections[] = {{"model.", &RunState::model},
                                 {"optimizer.", &RunState::optimizer},
                                 {"schedule.", &RunState::schedule},
                                 {"averaging.", &RunState::averaging},
                                 {"best.", &RunState::best}};

nlohmann::json to_json(const Evaluation& e) { return nlohmann::json::array({e.loss, e.accuracy}); }

// NaN accuracies (regression) are stored as null: JSON has no NaN.
double number_or_nan(const nlohmann::json& j) { return j.is_null() ? std::nan("") : j.get<double>(); }

Evaluation evaluation_from_json(const nlohmann::json& j) { return {number_or_nan(j.at(0)), number_or_nan(j.at(1))}; }

nlohmann::json to_json(const EpochRecord& r) {
  nlohmann::json j = {{"epoch", r.epoch},
                      {"train_loss", r.train_loss},
                      {"train_accuracy", r.train_accuracy},
                      {"validation", to_json(r.validation)},
                      {"lr", r.lr},
                      {"seconds", r.seconds},
                      {"samples_per_second", r.samples_per_second},
                      {"best", r.best}};
  if (r.averaged_validation) j["averaged_validation"] = to_json(*r.averaged_validation);
  return j;
}

EpochRecord epoch_record_from_json(const nlohmann::json& j) {
  EpochRecord r;
  r.epoch = j.at("epoch").get<std::int64_t>();
  r.train_loss = number_or_nan(j.at("train_loss"));
  r.train_accuracy = number_or_nan(j.at("train_accuracy"));
  r.validation = evaluation_from_json(j.at("validation"));
  r.lr = j.at("lr").get<double>();
  r.seconds = j.at("seconds").get<double>();
  r.samples_per_second = j.at("samples_per_second").get<double>();
  r.best = j.at("best").get<bool>();
  if (j.contains("averaged_validation")) r.averaged_validation = evaluation_from_json(j.at("averaged_validation"));
  return r;
}

std::uint64_t parse_unsigned(const std::string& path, const std::string& key, const std::string& text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  TG_CHECK(error == std::errc{} && end == text.data() + text.size(),
           "resume: '{}': the run state's {} is '{}', expected an unsigned integer", path, key, text);
  return value;
}

const std::string& required(const std::map<std::string, std::string>& metadata, const std::string& path,
                            const std::string& key) {
  const auto it = metadata.find(key);
  TG_CHECK(it != metadata.end(), "resume: '{}': the run state has no '{}'", path, key);
  return it->second;
}

}  // namespace

void save_run_state(const std::string& path, const RunState& state) {
  TensorMap tensors;
  for (const Section& section : kSections)
    for (const auto& [name, tensor] : state.*section.member) tensors.emplace(std::string(section.prefix) + name, tensor);
  nlohmann::json history = nlohmann::json::array();
  for (const EpochRecord& r : state.history) history.push_back(to_json(r));
  const std::map<std::string, std::string> metadata = {
      {std::string(kFormatKey), std::string(kFormatVersion)},
      {"epoch", std::to_string(state.epoch)},
      {"step", std::to_string(state.step)},
      {"generator_seed", std::to_string(state.generator.seed)},
      {"generator_offset", std::to_string(state.generator.offset)},
      {"best_epoch", std::to_string(state.best_epoch)},
      {"best_checkpoint", state.best_checkpoint},
      {"checkpoints", nlohmann::json(state.checkpoints).dump()},
      {"history", history.dump()}};
  nn::save_safetensors(path, tensors, metadata);
}

RunState load_run_state(const std::string& path) {
  std::map<std::string, std::string> metadata;
  TensorMap tensors = nn::load_safetensors(path, &metadata);
  const auto format = metadata.find(std::string(kFormatKey));
  TG_CHECK(format != metadata.end(),
           "resume: '{}' is not a run state (a model checkpoint? a run state is the <run>-run.safetensors file "
           "a run saves after every epoch)", path);
  TG_CHECK(format->second == kFormatVersion, "resume: '{}': run state version {}, this tapegrad reads version {}", path,
           format->second, kFormatVersion);
  RunState state;
  for (auto& [key, tensor] : tensors) {
    bool placed = false;
    for (const Section& section : kSections) {
      if (std::string_view(key).starts_with(section.prefix)) {
        (state.*section.member).emplace(key.substr(section.prefix.size()), std::move(tensor));
        placed = true;
        break;
      }
    }
    TG_CHECK(placed, "resume: '{}': unexpected tensor '{}' in the run state", path, key);
  }
  state.epoch = static_cast<std::int64_t>(parse_unsigned(path, "epoch", required(metadata, path, "epoch")));
  state.step = static_cast<std::int64_t>(parse_unsigned(path, "step", required(metadata, path, "step")));
  state.generator.seed = parse_unsigned(path, "generator_seed", required(metadata, path, "generator_seed"));
  state.generator.offset = parse_unsigned(path, "generator_offset", required(metadata, path, "generator_offset"));
  state.best_epoch = static_cast<std::int64_t>(parse_unsigned(path, "best_epoch", required(metadata, path, "best_epoch")));
  state.best_checkpoint = required(metadata, path, "best_checkpoint");
  try {
    state.checkpoints = nlohmann::json::parse(required(metadata, path, "checkpoints")).get<std::vector<std::string>>();
    for (const auto& record : nlohmann::json::parse(required(metadata, path, "history")))
      state.history.push_back(epoch_record_from_json(record));
  } catch (const nlohmann::json::exception& error) {
    fail("resume: '{}': the run state's history or checkpoint list is damaged: {}", path, error.what());
  }
  TG_CHECK(static_cast<std::int64_t>(state.history.size()) == state.epoch,
           "resume: '{}': the run state is at epoch {} but holds {} history records", path, state.epoch,
           state.history.size());
  TG_CHECK(state.best_epoch >= 1 && state.best_epoch <= state.epoch && !state.best.empty(),
           "resume: '{}': the run state has no best epoch", path);
  return state;
}

}  // namespace tg::train::detail
