#include <tapegrad/train/search/table.hpp>

#include <fmt/format.h>

#include <algorithm>

#include <tapegrad/train/search/results.hpp>

namespace tg::train::search {

namespace {

nlohmann::json to_json(const std::vector<BorderWarning>& warnings) {
  nlohmann::json json = nlohmann::json::array();
  for (const BorderWarning& w : warnings) json.push_back(w.message);
  return json;
}

nlohmann::json to_json(const std::vector<TrialResult>& results) {
  nlohmann::json json = nlohmann::json::array();
  for (const TrialResult& r : results) json.push_back(search::to_json(r));
  return json;
}

}  // namespace

std::string format_values(const Configuration& values) {
  std::string text;
  for (const auto& [name, value] : values) text += fmt::format("{}{}={:.3g}", text.empty() ? "" : " ", name, value);
  return text;
}

std::string trial_line(const TrialResult& r) {
  return fmt::format("stage {} trial {:02}  val acc {:.4f}  loss {:.4f}  {:5.1f} s  {}", r.spec.stage, r.spec.trial,
                     r.validation_accuracy, r.validation_loss, r.seconds, format_values(r.spec.values));
}

std::string ranking_table(const std::vector<TrialResult>& ranked, const SearchSpace& space, std::size_t max_rows) {
  std::string text = fmt::format("{:>4}  {:>5}  {:>5}", "rank", "stage", "trial");
  for (const Range& range : space.ranges)
    text += fmt::format("  {:>{}}", range.name, std::max<std::size_t>(range.name.size(), 9));
  text += fmt::format("  {:>7}  {:>8}  {:>7}  {}\n", "val acc", "val loss", "time", "checkpoint");
  for (std::size_t i = 0; i < ranked.size() && i < max_rows; ++i) {
    const TrialResult& r = ranked[i];
    text += fmt::format("{:>4}  {:>5}  {:>5}", i + 1, r.spec.stage, r.spec.trial);
    for (const Range& range : space.ranges) {
      const auto it = r.spec.values.find(range.name);
      const std::string value = it == r.spec.values.end() ? "-" : fmt::format("{:.3g}", it->second);
      text += fmt::format("  {:>{}}", value, std::max<std::size_t>(range.name.size(), 9));
    }
    text += fmt::format("  {:>7.4f}  {:>8.4f}  {:>5.1f} s  {}\n", r.validation_accuracy, r.validation_loss, r.seconds,
                        r.checkpoint.empty() ? "-" : r.checkpoint);
  }
  if (ranked.size() > max_rows) text += fmt::format("({} more)\n", ranked.size() - max_rows);
  return text;
}

nlohmann::json to_json(const SearchSummary& summary) {
  nlohmann::json stages = nlohmann::json::array();
  for (const StageSummary& stage : summary.stages) {
    nlohmann::json ranges = nlohmann::json::array();
    for (const Range& range : stage.space.ranges) ranges.push_back(range.str());
    stages.push_back({{"stage", stage.stage},
                      {"ranges", ranges},
                      {"reused", stage.reused},
                      {"ranked", to_json(stage.ranked)},
                      {"warnings", to_json(stage.warnings)}});
  }
  return {{"stages", stages},
          {"ran", summary.ran},
          {"reused", summary.reused},
          {"best", summary.ranked.empty() ? nlohmann::json() : search::to_json(summary.ranked.front())},
          {"warnings", to_json(summary.warnings)}};
}

}  // namespace tg::train::search
