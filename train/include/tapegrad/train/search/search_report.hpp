#pragma once
// The HTML report of a search: per range, validation accuracy against the range's value
// (log x axis for log ranges), one series per stage; then the ranking.
#include <tapegrad/train/report/report.hpp>
#include <tapegrad/train/search/runner.hpp>

namespace tg::train::search {

report::Report search_report(const SearchSummary& summary, const SearchSpace& space);

}  // namespace tg::train::search
