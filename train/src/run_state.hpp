#pragma once
// The run-state file behind TrainOptions::resume_from: one safetensors file holding every
// tensor of a run in progress (under the prefixes "model.", "optimizer.", "schedule.",
// "averaging.", "best.") and the rest as metadata strings (the epoch and step, the default
// generator's state, the history and checkpoint list as JSON). Written atomically after
// every epoch, so the file holds a complete epoch boundary whenever the run is killed.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <tapegrad/random.hpp>
#include <tapegrad/tensor.hpp>
#include <tapegrad/train/callback.hpp>

namespace tg::train::detail {

using TensorMap = std::map<std::string, Tensor>;

struct RunState {
  std::int64_t epoch = 0;  // the last finished epoch
  std::int64_t step = 0;
  Generator::State generator{};
  TensorMap model, optimizer, schedule, averaging;
  TensorMap best;  // the best epoch's model state (what the test evaluates)
  std::vector<EpochRecord> history;
  std::int64_t best_epoch = 0;
  std::vector<std::string> checkpoints;
  std::string best_checkpoint;
};

void save_run_state(const std::string& path, const RunState& state);
// A tg::Error naming the path for a file that is not a run state or is damaged.
RunState load_run_state(const std::string& path);

}  // namespace tg::train::detail
