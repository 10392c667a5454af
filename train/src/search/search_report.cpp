#include <tapegrad/train/search/search_report.hpp>

#include <fmt/format.h>


#include <tapegrad/train/search/table.hpp>

namespace tg::train::search {

namespace {

// A stage's trials as points (value of range, validation accuracy): independent draws,
// so a scatter, never a line.
report::Series stage_points(const StageSummary& stage, const Range& range) {
  report::Series series{fmt::format("stage {} ({} trials)", stage.stage, stage.ranked.size()), {}, {}};
  for (const TrialResult& r : stage.ranked) {
    const auto it = r.spec.values.find(range.name);
    if (it == r.spec.values.end()) continue;
    series.x.push_back(it->second);
    series.y.push_back(r.validation_accuracy);
  }
  return series;
}

report::ScatterPlot range_plot(const SearchSummary& summary, const Range& range) {
  report::ScatterPlot plot{.title = fmt::format("validation accuracy against {}", range.name),
                           .x_label = range.scale == Scale::log ? range.name + " (log scale)" : range.name,
                           .y_label = "validation accuracy",
                           .log_x = range.scale == Scale::log,
                           .x_lines = {range.low, range.high},
                           .x_lines_name = fmt::format("searched range [{:.3g}, {:.3g}]", range.low, range.high)};
  for (const StageSummary& stage : summary.stages) plot.series.push_back(stage_points(stage, range));
  if (!summary.ranked.empty()) {
    const TrialResult& best = summary.ranked.front();
    const auto it = best.spec.values.find(range.name);
    if (it != best.spec.values.end())
      plot.highlighted = {fmt::format("best (stage {} trial {})", best.spec.stage, best.spec.trial),
                          {it->second},
                          {best.validation_accuracy}};
  }
  return plot;
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
  for (const Range& range : space.ranges) page.add(range_plot(summary, range));
  page.add(ranking(summary.ranked, space));
  return page;
}

}  // namespace tg::train::search
