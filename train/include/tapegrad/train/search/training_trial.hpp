#pragma once
// The real trial: the configuration's values set on a TrainConfig (dropout on the model,
// every other name as an option of the optimizer) and trained by train_classifier on the
// training part of one seeded train/validation split of the Fashion-MNIST training file.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include <tapegrad/train/search/space.hpp>
#include <tapegrad/train/search/trainer_trial.hpp>
#include <tapegrad/train/search/trial.hpp>
#include <tapegrad/train/trainer.hpp>

namespace tg::train::search {

// What stays the same over all trials of a search.
struct TrialSettings {
  std::string model = "mlp";
  std::string optimizer = "adamw";
  optim::Options optimizer_options{};  // fixed options, under the sampled ones
  std::int64_t batch_size = 64;
  std::int64_t validation_size = 5000;
  // Split, model initialization and shuffling: the same for every trial (common random
  // numbers), so that trials differ only by their configuration.
  std::uint64_t seed = 0;
  std::string data_dir{};        // empty: train::fashion_mnist_dir()
  std::string checkpoint_dir{};  // empty: no checkpoints

  // Clear errors before anything is trained: unknown model or optimizer, a range name
  // that is neither dropout nor an option of the optimizer, a range outside the values
  // the option accepts.
  void validate(const SearchSpace& space) const;
};

nlohmann::json to_json(const TrialSettings& settings);
// What makes the trials of two runs comparable, for the results file's first line: the
// settings (not where the data and checkpoints live) and the ranges.
nlohmann::json search_identity(const TrialSettings& settings, const SearchSpace& space);
TrialSettings trial_settings_from_json(const nlohmann::json& json);

// The trainer_trial setup of a search over a registered model: "dropout" goes to the
// model, every other value to the optimizer; the checkpoints' metadata rebuild the model.
TrainerTrialSetup trainer_trial_setup(const TrialSettings& settings, TrainData data);

class TrainingTrial {
 public:
  // Loads the data and splits it once; trials then only take their train_limit prefix.
  explicit TrainingTrial(const TrialSettings& settings);
  TrialResult operator()(const TrialSpec& spec) const { return trial_(spec); }

 private:
  TrialFunction trial_;
};

}  // namespace tg::train::search
