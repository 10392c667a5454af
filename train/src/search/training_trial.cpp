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

TrainerTrialSetup trainer_trial_setup(const TrialSettings& settings, TrainData data) {
  TrainerTrialSetup setup;
  nn::ModelOptions model_options;
  const Shape& shape = data.train.images.shape();
  model_options.input_shape.assign(shape.begin() + 1, shape.end());
  setup.make_model = [model = settings.model, model_options](const Configuration& values) {
    nn::ModelOptions options = model_options;
    if (const auto dropout = values.find(kDropout); dropout != values.end()) options.dropout = dropout->second;
    return nn::make_model(model, options);
  };
  setup.model_values = {std::string(kDropout)};
  setup.options.optimizer = settings.optimizer;
  setup.options.optimizer_options = settings.optimizer_options;
  setup.options.batch_size = settings.batch_size;
  setup.options.seed = settings.seed;
  setup.options.run_name = settings.model;
  // What the ensemble reader needs to rebuild a trial's model (its dropout is the trial's).
  setup.options.checkpoint_metadata = {{"model", settings.model},
                                       {"optimizer", settings.optimizer},
                                       {"dropout", "0"},
                                       {"width", "1"}};
  setup.data = std::move(data);
  setup.checkpoint_dir = settings.checkpoint_dir;
  return setup;
}

TrainingTrial::TrainingTrial(const TrialSettings& settings)
    // No test set: a search never looks at it.
    : trial_(trainer_trial(trainer_trial_setup(
          settings, load_fashion_mnist_data(settings.data_dir, settings.validation_size, settings.seed, "search",
                                            /*with_test=*/false)))) {}

}  // namespace tg::train::search
