#include <tapegrad/train/search/trainer_trial.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include <tapegrad/error.hpp>
#include <tapegrad/random.hpp>
#include <tapegrad/train/fashion_data.hpp>

namespace tg::train::search {

TrialRun split_trial_values(const TrainerTrialSetup& setup, const TrialSpec& spec) {
  TrialRun run{setup.options, {}};
  run.options.epochs = spec.epochs;
  for (const auto& [name, value] : spec.values) {
    if (setup.model_values.count(name)) {
      run.model_values.emplace(name, value);
      run.options.checkpoint_metadata[name] = fmt::format("{}", value);
    } else {
      run.options.optimizer_options.set(name, value);
    }
  }
  return run;
}

TrialFunction trainer_trial(TrainerTrialSetup setup) {
  TG_CHECK(static_cast<bool>(setup.make_model), "search: the trial's make_model is empty");
  TG_CHECK(setup.data.train.size() > 0 && setup.data.validation.size() > 0,
           "search: the trials need training and validation data");
  auto shared = std::make_shared<const TrainerTrialSetup>(std::move(setup));
  return [shared](const TrialSpec& spec) -> TrialResult {
    const TrainerTrialSetup& s = *shared;
    auto [options, model_values] = split_trial_values(s, spec);
    // The Trainer names its best checkpoint itself; it writes into a folder of this
    // trial's own, and the file is then renamed to carry the validation score.
    const std::filesystem::path dir = s.checkpoint_dir;
    const std::filesystem::path scratch = dir / fmt::format(".stage{}-trial{:02}", spec.stage, spec.trial);
    options.checkpoint_dir = s.checkpoint_dir.empty() ? std::string{} : scratch.string();
    manual_seed(options.seed);
    Trainer trainer(s.make_model(model_values), options);
    const TrainResult trained =
        trainer.fit({first_samples(s.data.train, spec.train_limit), s.data.validation, nn::data::Dataset{}});
    const EpochRecord& best = trained.history.at(static_cast<std::size_t>(trained.best_epoch - 1));

    TrialResult result{spec, best.validation.accuracy, best.validation.loss, trained.seconds, {}};
    if (!trained.checkpoint.empty()) {
      const std::filesystem::path named = dir / checkpoint_file_name(result.validation_accuracy, spec.stage, spec.trial);
      std::filesystem::rename(trained.checkpoint, named);
      std::filesystem::remove_all(scratch);
      result.checkpoint = named.string();
    }
    return result;
  };
}

}  // namespace tg::train::search
