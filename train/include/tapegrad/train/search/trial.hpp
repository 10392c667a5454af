#pragma once
// One trial of a search: a configuration trained for its stage's epochs, scored on the
// validation fold. The runner sees trials only as a TrialFunction, so tests inject a
// fast fake and the workers run the real one (TrainingTrial).
#include <cstdint>
#include <functional>
#include <string>

#include <tapegrad/train/search/space.hpp>

namespace tg::train::search {

struct TrialSpec {
  int stage = 1;  // 1-based
  int trial = 0;  // 0-based within its stage
  Configuration values{};
  std::int64_t epochs = 1;
  std::int64_t train_limit = 0;  // train on the first N training samples (0: all)

  friend bool operator==(const TrialSpec&, const TrialSpec&) = default;
};

struct TrialResult {
  TrialSpec spec{};
  double validation_accuracy = 0, validation_loss = 0;
  double seconds = 0;
  std::string checkpoint{};  // empty when none was written
};

using TrialFunction = std::function<TrialResult(const TrialSpec&)>;

// "val0.8734-stage1-trial07.safetensors": the file name carries the validation score,
// so that `ls` of the checkpoint folder is a ranking.
std::string checkpoint_file_name(double validation_accuracy, int stage, int trial);

}  // namespace tg::train::search
