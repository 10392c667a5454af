#pragma once
// What `tapegrad search` prints: one line per finished trial and the ranking table.
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <tapegrad/train/search/runner.hpp>

namespace tg::train::search {

// "dropout=0.312 lr=0.00312 weight_decay=1.05e-05" (3 significant digits).
std::string format_values(const Configuration& values);

// "stage 1 trial 03  val acc 0.8123  loss 0.5312  12.3 s  dropout=... lr=..."
std::string trial_line(const TrialResult& result);

// A header row and one row per result (at most max_rows): rank, stage, trial, the
// values (one column per range of space), val acc, val loss, seconds, checkpoint.
std::string ranking_table(const std::vector<TrialResult>& ranked, const SearchSpace& space,
                          std::size_t max_rows = 20);

nlohmann::json to_json(const SearchSummary& summary);

}  // namespace tg::train::search
