#include <tapegrad/train/search/search_report.hpp>

#include <fmt/format.h>

#include <algorithm>

#include <tapegrad/train/search/table.hpp>

namespace tg::train::search {

namespace {

// A stage's trials as points (value of range, validation accuracy), sorted by value so
// that the plot's line reads left to right.
report::Series stage_points(const StageSummary& stage, const Range& range) {
  std::vector<std::pair<double, double>> points;
  for (const TrialResult& r : stage.ranked) {
    const auto it = r.spec.values.find(range.name);
    if (it != r.spec.values.end()) points.emplace_back(it->second, r.validation_accuracy);
  }
  std::sort(points.begin(), points.end());
  report::Series series{fmt::format("stage {}", stage.stage), {}, {}};
  for (const auto& [x, y] : points) {
    series.x.push_back(x);
    series.y.push_back(y);
  }
  return series;
}

report::Table ranking(const std::vector<TrialResult>& ranked, const SearchSpace& space) {
  report::Table table{"Ranking (all stages)", {"rank", "stage", "trial"}, {}};
  for (const Range& range : space.ranges) table.header.push_back(range.name);
  for (const char* column : {"val acc", "val loss", "seconds", "checkpoint"}) table.header.emplace_back(column);
  for (std::size_t i = 0; i < ranked.size(); ++i) {
    const TrialResult& r = ranked[i];
    std::vector<std::string> row{std::to_string(i + 1), std::to_string(r.spec.stage), std::to_string(r.spec.trial)};
    for (const Range& range : space.ranges) {
      const auto it = r.spec.values.find(range.name);
      row.push_back(it == r.spec.values.end() ? "-" : fmt::format("{:.3g}", it->second));
    }
    row.push_back(fmt::format("{:.4f}", r.validation_accuracy));
    row.push_back(fmt::format("{:.4f}", r.validation_loss));
    row.push_back(fmt::format("{:.1f}", r.seconds));
    row.push_back(r.checkpoint.empty() ? "-" : r.checkpoint);
    table.rows.push_back(std::move(row));
  }
  return table;
}

}  // namespace

report::Report search_report(const SearchSummary& summary, const SearchSpace& space) {
  report::Report page("tapegrad search");
  if (!summary.ranked.empty()) {
    const TrialResult& best = summary.ranked.front();
    page.paragraph(fmt::format("Best: stage {} trial {}, validation accuracy {:.4f} with {}.", best.spec.stage,
                               best.spec.trial, best.validation_accuracy, format_values(best.spec.values)));
  }
  for (const BorderWarning& w : summary.warnings) page.paragraph("Warning: " + w.message);
  for (const Range& range : space.ranges) {
    report::LinePlot plot{fmt::format("validation accuracy against {}", range.name), range.name,
                          "validation accuracy", range.scale == Scale::log, false, {}};
    for (const StageSummary& stage : summary.stages) plot.series.push_back(stage_points(stage, range));
    page.add(plot);
  }
  page.add(ranking(summary.ranked, space));
  return page;
}

}  // namespace tg::train::search
