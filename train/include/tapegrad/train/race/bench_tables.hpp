#pragma once
// The summary tables of `tapegrad bench` (one per part), as report::Tables so that the
// terminal and the HTML report show the same rows, and the same results as JSON.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <tapegrad/train/race/fashion_race.hpp>
#include <tapegrad/train/race/race.hpp>
#include <tapegrad/train/report/report.hpp>
#include <tapegrad/train/race/step_cost.hpp>
#include <tapegrad/train/race/test_functions.hpp>

namespace tg::train {

// optimizer, lr, iterations to tolerance (or "-"), final loss (or "diverged"), µs/step.
report::Table function_race_table(const TestFunction& f, const std::vector<RaceRun>& runs,
                                  const RaceSettings& settings);
// optimizer, lr, final train loss, test loss, test accuracy, ms/iteration.
report::Table fashion_race_table(const std::vector<FashionRun>& runs, const FashionRaceSettings& settings);
// optimizer, then µs per step at each size measured.
report::Table step_cost_table(const std::vector<StepCost>& costs);

// The title line, the header and the rows with aligned columns.
std::string text_table(const report::Table& table);

nlohmann::json to_json(const TestFunction& f, const std::vector<RaceRun>& runs);
nlohmann::json to_json(const std::vector<FashionRun>& runs);
nlohmann::json to_json(const std::vector<StepCost>& costs);

}  // namespace tg::train
