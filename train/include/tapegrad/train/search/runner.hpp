#pragma once
// The master's loop of a search: per stage, sample the trials (stage 1 over the given
// space, every later stage over the space narrowed around the previous stage's best),
// skip those the results file already holds, run the others through a TrialExecutor,
// record each as it finishes, and rank. No global state: everything is in the arguments.
#include <cstdint>
#include <functional>
#include <vector>

#include <tapegrad/train/search/results.hpp>
#include <tapegrad/train/search/space.hpp>
#include <tapegrad/train/search/trial.hpp>

namespace tg::train::search {

struct StagePlan {
  int trials = 8;
  std::int64_t epochs = 1;
  std::int64_t train_limit = 0;  // 0: the whole training part
};

struct SearchPlan {
  SearchSpace space{};
  std::uint64_t seed = 0;
  std::vector<StagePlan> stages{};
  int keep = 0;  // how many of a stage's best the next stage narrows around; 0: a quarter, at least 2

  void validate() const;
  int keep_of(int trials) const;  // keep, or its default for a stage of `trials` trials
};

struct StageSummary {
  int stage = 1;
  SearchSpace space{};               // the space this stage sampled from
  std::vector<TrialResult> ranked{};  // best first
  std::int64_t reused = 0;            // trials taken from the results file instead of run
  std::vector<BorderWarning> warnings{};  // of its best, against the original ranges
};

struct SearchSummary {
  std::vector<StageSummary> stages{};
  std::vector<TrialResult> ranked{};  // every trial of every stage, best first
  std::vector<BorderWarning> warnings{};
  std::int64_t ran = 0, reused = 0;
};

// Best first: higher validation accuracy, then lower validation loss, then earlier
// stage and trial (so that ties rank the same way every time).
std::vector<TrialResult> rank(std::vector<TrialResult> results);

// The trials of one stage, sampled from space.
std::vector<TrialSpec> stage_trials(const SearchSpace& space, std::uint64_t seed, int stage, const StagePlan& plan);

class TrialExecutor {
 public:
  virtual ~TrialExecutor() = default;
  // Runs every spec and calls on_finished, on the calling thread, once per finished
  // trial (in any order). A failed trial is a tg::Error.
  virtual void run(const std::vector<TrialSpec>& specs,
                   const std::function<void(const TrialResult&)>& on_finished) = 0;
};

// Runs the trials one after the other in this process.
class InProcessExecutor final : public TrialExecutor {
 public:
  explicit InProcessExecutor(TrialFunction trial) : trial_(std::move(trial)) {}
  void run(const std::vector<TrialSpec>& specs, const std::function<void(const TrialResult&)>& on_finished) override;

 private:
  TrialFunction trial_;
};

struct SearchCallbacks {
  std::function<void(int stage, const SearchSpace& space, const StagePlan& plan, std::int64_t reused)> on_stage_start{};
  // done counts the stage's finished trials so far, reused ones included.
  std::function<void(const TrialResult& result, std::int64_t done, std::int64_t total)> on_trial{};
  std::function<void(const StageSummary& stage)> on_stage_end{};
};

SearchSummary run_search(const SearchPlan& plan, ResultsFile& results, TrialExecutor& executor,
                         const SearchCallbacks& callbacks = {});

}  // namespace tg::train::search
