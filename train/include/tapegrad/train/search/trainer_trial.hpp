#pragma once
// A search over a model of your own: a TrialFunction that builds the trial's model from
// the configuration's values it takes (e.g. "dropout", "width") and trains it with a
// Trainer, every other value set as an option of the optimizer ("lr", "weight_decay").
//   search::TrainerTrialSetup setup{.make_model = [](const search::Configuration& v) {
//                                      return std::make_shared<MyNet>(v.at("dropout")); },
//                                   .model_values = {"dropout"},
//                                   .options = {.optimizer = "adamw"},
//                                   .data = {train, validation, {}}};
//   search::InProcessExecutor executor(search::trainer_trial(setup));
//   search::run_search(plan, results_file, executor);
#include <functional>
#include <set>
#include <string>

#include <tapegrad/nn/module.hpp>
#include <tapegrad/train/search/space.hpp>
#include <tapegrad/train/search/trial.hpp>
#include <tapegrad/train/trainer.hpp>

namespace tg::train::search {

struct TrainerTrialSetup {
  // Called with the default generator seeded with options.seed, so every trial starts
  // from the same initialization (common random numbers) where the values allow it.
  std::function<nn::ModulePtr(const Configuration& values)> make_model{};
  std::set<std::string> model_values{"dropout"};  // the values make_model takes
  TrainOptions options{};                         // epochs come from each trial's stage
  TrainData data{};                               // trials train on a train_limit prefix of data.train
  // Where each trial's best checkpoint goes, named by its validation score
  // ("val0.8734-stage1-trial07.safetensors"); empty: none are kept.
  std::string checkpoint_dir{};
};

TrialFunction trainer_trial(TrainerTrialSetup setup);

// How a trial's values split: those named in setup.model_values (returned, for make_model)
// and the rest, set as optimizer options on a copy of setup.options with the trial's epochs.
// The checkpoints' metadata carry the model's values too ("dropout" -> "0.25").
struct TrialRun {
  TrainOptions options;
  Configuration model_values;
};
TrialRun split_trial_values(const TrainerTrialSetup& setup, const TrialSpec& spec);

}  // namespace tg::train::search
