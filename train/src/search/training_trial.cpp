#include <tapegrad/train/search/training_trial.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>

#include <tapegrad/error.hpp>
#include <tapegrad/nn/model_registry.hpp>
#include <tapegrad/optim/registry.hpp>

#include <tapegrad/train/fashion_data.hpp>

namespace tg::train::search {

namespace {

constexpr const char* kDropout = "dropout";  // the one range that is not an optimizer option

nlohmann::json to_json(const optim::Options& options) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [name, value] : options) {
    if (value.is_boolean())
      json[name] = value.to_boolean();
    else if (value.type() == optim::OptionType::integer)
      json[name] = value.to_integer();
    else
      json[name] = value.to_number();
  }
  return json;
}

optim::Options options_from_json(const nlohmann::json& json) {
  optim::Options options;
  for (const auto& [name, value] : json.items()) {
    if (value.is_boolean())
      options.set(name, value.get<bool>());
    else if (value.is_number_integer())
      options.set(name, value.get<std::int64_t>());
    else
      options.set(name, value.get<double>());
  }
  return options;
}

std::string option_names(const optim::OptimizerInfo& info) {
  std::string names;
  for (const optim::OptionSpec& spec : info.options) names += ", " + spec.name;
  return names;
}

}  // namespace

void TrialSettings::validate(const SearchSpace& space) const {
  const std::vector<std::string> models = nn::model_names();
  TG_CHECK(std::find(models.begin(), models.end(), model) != models.end(), "search: unknown model '{}'; known: {}",
           model, fmt::join(models, ", "));
  TG_CHECK(batch_size >= 1, "search: --batch-size must be at least 1, got {}", batch_size);
  const optim::OptimizerInfo info = optim::find_optimizer(optimizer);
  optim::resolve_options(info.name, info.options, optimizer_options);
  for (const Range& range : space.ranges) {
    if (range.name == kDropout) {
      TG_CHECK(range.low >= 0 && range.high < 1, "--range '{}': dropout must lie in [0, 1)", range.str());
      TG_CHECK(nn::find_model(model).uses_dropout,
               "--range '{}': model '{}' has no dropout; give the ranges to search with --range", range.str(), model);
      continue;
    }
    const auto spec = std::find_if(info.options.begin(), info.options.end(),
                                   [&](const optim::OptionSpec& s) { return s.name == range.name; });
    TG_CHECK(spec != info.options.end(), "--range '{}': '{}' is neither dropout nor an option of {}; known: {}{}",
             range.str(), range.name, optimizer, kDropout, option_names(info));
    TG_CHECK(spec->type == optim::OptionType::number, "--range '{}': {}'s option '{}' is {}, not a number",
             range.str(), optimizer, range.name, optim::option_type_name(spec->type));
    TG_CHECK(!optimizer_options.contains(range.name), "search: '{}' is given both as --range and as --opt",
             range.name);
    const std::string owner = fmt::format("--range '{}'", range.str());
    optim::validate_option(owner, *spec, range.low);
    optim::validate_option(owner, *spec, range.high);
  }
}

nlohmann::json to_json(const TrialSettings& s) {
  return {{"model", s.model},
          {"optimizer", s.optimizer},
          {"optimizer_options", to_json(s.optimizer_options)},
          {"batch_size", s.batch_size},
          {"validation", s.validation_size},
          {"seed", s.seed},
          {"data_dir", s.data_dir},
          {"checkpoint_dir", s.checkpoint_dir}};
}

nlohmann::json search_identity(const TrialSettings& settings, const SearchSpace& space) {
  nlohmann::json identity = to_json(settings);
  identity.erase("data_dir");
  identity.erase("checkpoint_dir");
  nlohmann::json ranges = nlohmann::json::array();
  for (const Range& range : space.ranges) ranges.push_back(range.str());
  identity["ranges"] = ranges;
  return identity;
}

TrialSettings trial_settings_from_json(const nlohmann::json& json) {
  TrialSettings s;
  s.model = json.at("model").get<std::string>();
  s.optimizer = json.at("optimizer").get<std::string>();
  s.optimizer_options = options_from_json(json.at("optimizer_options"));
  s.batch_size = json.at("batch_size").get<std::int64_t>();
  s.validation_size = json.at("validation").get<std::int64_t>();
  s.seed = json.at("seed").get<std::uint64_t>();
  s.data_dir = json.at("data_dir").get<std::string>();
  s.checkpoint_dir = json.at("checkpoint_dir").get<std::string>();
  return s;
}

TrainConfig make_train_config(const TrialSettings& settings, const TrialSpec& spec) {
  TrainConfig config;
  config.model = settings.model;
  config.optimizer = settings.optimizer;
  config.optimizer_options = settings.optimizer_options;
  for (const auto& [name, value] : spec.values) {
    if (name == kDropout)
      config.model_options.dropout = value;
    else
      config.optimizer_options.set(name, value);
  }
  config.epochs = spec.epochs;
  config.batch_size = settings.batch_size;
  config.seed = settings.seed;
  return config;
}

TrainingTrial::TrainingTrial(TrialSettings settings) : settings_(std::move(settings)) {
  // No test set: a search never looks at it.
  data_ = load_fashion_mnist_data(settings_.data_dir, settings_.validation_size, settings_.seed, "search",
                                  /*with_test=*/false);
}

TrialResult TrainingTrial::operator()(const TrialSpec& spec) const {
  TrainConfig config = make_train_config(settings_, spec);
  // The trainer names its best checkpoint itself; it writes into a folder of this trial's
  // own, and the file is then renamed to carry the validation score.
  const std::filesystem::path dir = settings_.checkpoint_dir;
  const std::filesystem::path scratch = dir / fmt::format(".stage{}-trial{:02}", spec.stage, spec.trial);
  if (!settings_.checkpoint_dir.empty()) config.checkpoint_dir = scratch.string();

  const TrainData data{first_samples(data_.train, spec.train_limit), data_.validation, data_.test};
  const TrainResult trained = train_classifier(config, data);
  const EpochRecord& best = trained.history.at(static_cast<std::size_t>(trained.best_epoch - 1));

  TrialResult result{spec, best.validation.accuracy, best.validation.loss, trained.seconds, {}};
  if (!trained.checkpoint.empty()) {
    const std::filesystem::path named = dir / checkpoint_file_name(result.validation_accuracy, spec.stage, spec.trial);
    std::filesystem::rename(trained.checkpoint, named);
    std::filesystem::remove_all(scratch);
    result.checkpoint = named.string();
  }
  return result;
}

}  // namespace tg::train::search
