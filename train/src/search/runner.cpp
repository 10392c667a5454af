#include <tapegrad/train/search/runner.hpp>

#include <algorithm>
#include <tuple>

#include <tapegrad/error.hpp>

namespace tg::train::search {

namespace {

// The results file's trial with exactly this spec, if it holds one.
const TrialResult* find_finished(const std::vector<TrialResult>& finished, const TrialSpec& spec) {
  for (const TrialResult& result : finished)
    if (result.spec == spec) return &result;
  return nullptr;
}

std::vector<Configuration> best_values(const std::vector<TrialResult>& ranked, int keep) {
  std::vector<Configuration> values;
  for (std::size_t i = 0; i < ranked.size() && i < static_cast<std::size_t>(keep); ++i)
    values.push_back(ranked[i].spec.values);
  return values;
}

}  // namespace

void SearchPlan::validate() const {
  TG_CHECK(!space.ranges.empty(), "search: the search space has no ranges");
  TG_CHECK(!stages.empty(), "search: --stages must be at least 1");
  for (const StagePlan& stage : stages) {
    TG_CHECK(stage.trials >= 1, "search: --trials must be at least 1 per stage, got {}", stage.trials);
    TG_CHECK(stage.epochs >= 1, "search: --epochs must be at least 1 per stage, got {}", stage.epochs);
    TG_CHECK(stage.train_limit >= 0, "search: --train-limit must be 0 (all) or positive, got {}", stage.train_limit);
  }
  TG_CHECK(keep >= 0, "search: --keep must be 0 (a quarter of the trials) or positive, got {}", keep);
}

int SearchPlan::keep_of(int trials) const {
  if (keep > 0) return std::min(keep, trials);
  return std::min(trials, std::max(2, (trials + 3) / 4));
}

std::vector<TrialResult> rank(std::vector<TrialResult> results) {
  std::stable_sort(results.begin(), results.end(), [](const TrialResult& a, const TrialResult& b) {
    return std::tuple(-a.validation_accuracy, a.validation_loss, a.spec.stage, a.spec.trial) <
           std::tuple(-b.validation_accuracy, b.validation_loss, b.spec.stage, b.spec.trial);
  });
  return results;
}

std::vector<TrialSpec> stage_trials(const SearchSpace& space, std::uint64_t seed, int stage, const StagePlan& plan) {
  std::vector<TrialSpec> specs;
  for (int trial = 0; trial < plan.trials; ++trial)
    specs.push_back({stage, trial, sample(space, seed, stage, trial), plan.epochs, plan.train_limit});
  return specs;
}

void InProcessExecutor::run(const std::vector<TrialSpec>& specs,
                            const std::function<void(const TrialResult&)>& on_finished) {
  for (const TrialSpec& spec : specs) on_finished(trial_(spec));
}

SearchSummary run_search(const SearchPlan& plan, ResultsFile& results, TrialExecutor& executor,
                         const SearchCallbacks& callbacks) {
  plan.validate();
  SearchSummary summary;
  SearchSpace space = plan.space;
  for (std::size_t s = 0; s < plan.stages.size(); ++s) {
    const StagePlan& stage_plan = plan.stages[s];
    const int stage = static_cast<int>(s) + 1;
    if (s > 0) space = narrow(plan.space, best_values(summary.stages.back().ranked, plan.keep_of(plan.stages[s - 1].trials)));

    StageSummary done{stage, space, {}, 0, {}};
    std::vector<TrialSpec> to_run;
    for (const TrialSpec& spec : stage_trials(space, plan.seed, stage, stage_plan)) {
      if (const TrialResult* finished = find_finished(results.finished(), spec))
        done.ranked.push_back(*finished);
      else
        to_run.push_back(spec);
    }
    done.reused = static_cast<std::int64_t>(done.ranked.size());
    if (callbacks.on_stage_start) callbacks.on_stage_start(stage, space, stage_plan, done.reused);

    executor.run(to_run, [&](const TrialResult& result) {
      results.append(result);
      done.ranked.push_back(result);
      if (callbacks.on_trial)
        callbacks.on_trial(result, static_cast<std::int64_t>(done.ranked.size()), stage_plan.trials);
    });
    TG_CHECK(done.ranked.size() == static_cast<std::size_t>(stage_plan.trials),
             "search: stage {} finished {} of its {} trials", stage, done.ranked.size(), stage_plan.trials);

    done.ranked = rank(std::move(done.ranked));
    done.warnings = border_warnings(plan.space, done.ranked.front().spec.values);
    summary.ran += static_cast<std::int64_t>(to_run.size());
    summary.reused += done.reused;
    summary.ranked.insert(summary.ranked.end(), done.ranked.begin(), done.ranked.end());
    if (callbacks.on_stage_end) callbacks.on_stage_end(done);
    summary.stages.push_back(std::move(done));
  }
  summary.ranked = rank(std::move(summary.ranked));
  summary.warnings = border_warnings(plan.space, summary.ranked.front().spec.values);
  return summary;
}

}  // namespace tg::train::search
