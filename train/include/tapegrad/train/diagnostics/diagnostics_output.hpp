#pragma once
// Text and JSON forms of the diagnostics' results, for `tapegrad train`.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <tapegrad/train/diagnostics/ensemble.hpp>
#include <tapegrad/train/diagnostics/sanity.hpp>
#include <tapegrad/train/diagnostics/update_ratio.hpp>

namespace tg::train {

nlohmann::json to_json(const SanityResults& sanity);
nlohmann::json to_json(const EnsembleResult& ensemble);

// One line per member and one for the ensemble: test accuracy and loss.
std::vector<std::string> ensemble_lines(const EnsembleResult& ensemble);

struct RatioSummary {
  std::string name;
  std::size_t samples = 0;
  double min = 0, median = 0, max = 0;
};
std::vector<RatioSummary> summarize(const std::vector<ParameterRatios>& parameters);
nlohmann::json to_json(const std::vector<RatioSummary>& summaries);
// A table: parameter, samples, min, median, max.
std::string ratio_table(const std::vector<RatioSummary>& summaries);

}  // namespace tg::train
