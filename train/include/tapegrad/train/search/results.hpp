#pragma once
// The results file of a search: JSON lines. The first line describes the search (its
// ranges, seed, model, ... : whatever makes two trials comparable); every other line is
// one finished trial. A search appends one line per finished trial and flushes it, so
// an interrupted search resumes from the file without redoing what it holds.
// Blank lines (an editor's final newline) are ignored. A trial (a TrialSpec) appears at
// most once: two lines for one trial with different results are an error naming both
// lines; a second line with the same result (a file concatenated or pasted twice) is
// dropped with a warning, since resuming from either copy gives the same search.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <tapegrad/train/search/trial.hpp>

namespace tg::train::search {

nlohmann::json to_json(const TrialSpec& spec);
TrialSpec trial_spec_from_json(const nlohmann::json& json);
nlohmann::json to_json(const TrialResult& result);
TrialResult trial_result_from_json(const nlohmann::json& json);

// What the text of a results file holds. Throws tg::Error (naming path and the line) on
// a first line that is not the header of this search, a line that is not a trial result,
// or conflicting results for one trial. A last line without its newline is a write cut
// short by a crash: it is not read, and complete_bytes ends before it.
struct ParsedResults {
  bool has_header = false;  // false: the text holds no complete line but blank ones
  std::vector<TrialResult> finished{};
  std::vector<std::string> warnings{};  // one per dropped duplicate line
  std::int64_t complete_bytes = 0;      // the bytes up to the end of the last complete line
};
ParsedResults parse_results(const std::string& text, const nlohmann::json& header, const std::string& path);

class ResultsFile {
 public:
  // Opens path for the search described by header: a missing (or, with fresh, any) file
  // is started with the header line; an existing one must have been written by the same
  // search (else a tg::Error naming what differs and suggesting --fresh), and its trials
  // are loaded (see parse_results). A last line cut short by a crash is removed from the file.
  ResultsFile(std::string path, nlohmann::json header, bool fresh);

  const std::vector<TrialResult>& finished() const { return finished_; }
  // "line 7 of ... repeats line 4 (stage 1 trial 2) and is ignored", for the caller to print.
  const std::vector<std::string>& warnings() const { return warnings_; }
  // Appends one line with a single write() and flushes it to the file, so a line is
  // either all there or not at all, even if the process is killed right after.
  void append(const TrialResult& result);
  const std::string& path() const { return path_; }

 private:
  void start_over(const nlohmann::json& header) const;
  void write_line(const std::string& line) const;
  std::string path_;
  std::vector<TrialResult> finished_;
  std::vector<std::string> warnings_;
};

}  // namespace tg::train::search
