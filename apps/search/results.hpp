#pragma once
// The results file of a search: JSON lines. The first line describes the search (its
// ranges, seed, model, ... : whatever makes two trials comparable); every other line is
// one finished trial. A search appends one line per finished trial and flushes it, so
// an interrupted search resumes from the file without redoing what it holds.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trial.hpp"

namespace tg::apps::search {

nlohmann::json to_json(const TrialSpec& spec);
TrialSpec trial_spec_from_json(const nlohmann::json& json);
nlohmann::json to_json(const TrialResult& result);
TrialResult trial_result_from_json(const nlohmann::json& json);

class ResultsFile {
 public:
  // Opens path for the search described by header: a missing (or, with fresh, any) file
  // is started with the header line; an existing one must have been written by the same
  // search (else a tg::Error naming what differs and suggesting --fresh), and its trials
  // are loaded. A last line cut short by a crash is dropped; any other bad line is an error.
  ResultsFile(std::string path, nlohmann::json header, bool fresh);

  const std::vector<TrialResult>& finished() const { return finished_; }
  // Appends one line with a single write() and flushes it to the file, so a line is
  // either all there or not at all, even if the process is killed right after.
  void append(const TrialResult& result);
  const std::string& path() const { return path_; }

 private:
  void start_over(const nlohmann::json& header) const;
  void write_line(const std::string& line) const;
  std::string path_;
  std::vector<TrialResult> finished_;
};

}  // namespace tg::apps::search
