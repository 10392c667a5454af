#pragma once
// The JSON forms of a training run, as `tapegrad train --json` prints them: the options,
// the result with its per-epoch history, and the gradchecks of a StepGradcheck.
#include <cstdint>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <tapegrad/gradcheck.hpp>
#include <tapegrad/train/trainer.hpp>

namespace tg::train {

// optimizer, epochs, batch_size, seed, schedule, tta_flip.
nlohmann::json to_json(const TrainOptions& options);
// parameters, seconds, best_epoch, best_validation_accuracy, test_loss, test_accuracy,
// checkpoint, checkpoints, run_state, history (one object per epoch), and the averaged
// model's test loss and accuracy when averaging was on. NaN (regression accuracies) is null.
nlohmann::json to_json(const TrainResult& result);
// One {"step", "verdict", "max_rel_error"} per check.
nlohmann::json to_json(const std::vector<std::pair<std::int64_t, GradcheckReport>>& gradchecks);

}  // namespace tg::train
