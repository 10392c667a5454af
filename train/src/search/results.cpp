#include <tapegrad/train/search/results.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string_view>
#include <utility>

#include <tapegrad/error.hpp>

namespace tg::train::search {

namespace {

constexpr const char* kHeaderKey = "search";

// "seed is 1 in the file, 0 here; ranges ..." for each top-level key that differs.
std::string differences(const nlohmann::json& file, const nlohmann::json& expected) {
  std::string text;
  for (const auto& [key, value] : expected.items()) {
    const std::string there = file.contains(key) ? file.at(key).dump() : "missing";
    if (there != value.dump()) text += fmt::format("{}{} is {} in the file, {} here", text.empty() ? "" : "; ", key, there, value.dump());
  }
  for (const auto& [key, value] : file.items())
    if (!expected.contains(key)) text += fmt::format("{}{} is {} in the file, missing here", text.empty() ? "" : "; ", key, value.dump());
  return text;
}

}  // namespace

nlohmann::json to_json(const TrialSpec& spec) {
  return {{"stage", spec.stage},
          {"trial", spec.trial},
          {"values", spec.values},
          {"epochs", spec.epochs},
          {"train_limit", spec.train_limit}};
}

namespace {

// json[key] as an integer in [low, the largest Int]: nlohmann's get<int>() of 1e300 or
// of 2^40 would be an undefined or wrapping cast.
template <class Int>
Int integer_field(const nlohmann::json& json, const char* key, Int low) {
  const nlohmann::json& value = json.at(key);
  const bool in_range =
      value.is_number_unsigned()
          ? value.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<Int>::max()) &&
                value.get<std::uint64_t>() >= static_cast<std::uint64_t>(std::max<Int>(low, 0))
          : value.is_number_integer() && value.get<std::int64_t>() >= low &&
                value.get<std::int64_t>() <= std::numeric_limits<Int>::max();
  TG_CHECK(in_range, "\"{}\" is {}, expected an integer from {} to {}", key, value.dump(), low,
           std::numeric_limits<Int>::max());
  return static_cast<Int>(value.get<std::int64_t>());
}

}  // namespace

TrialSpec trial_spec_from_json(const nlohmann::json& json) {
  return {integer_field<int>(json, "stage", 1), integer_field<int>(json, "trial", 0),
          json.at("values").get<Configuration>(), integer_field<std::int64_t>(json, "epochs", 1),
          integer_field<std::int64_t>(json, "train_limit", 0)};
}

nlohmann::json to_json(const TrialResult& result) {
  nlohmann::json json = to_json(result.spec);
  json["validation_accuracy"] = result.validation_accuracy;
  json["validation_loss"] = result.validation_loss;
  json["seconds"] = result.seconds;
  json["checkpoint"] = result.checkpoint;
  return json;
}

TrialResult trial_result_from_json(const nlohmann::json& json) {
  return {trial_spec_from_json(json), json.at("validation_accuracy").get<double>(),
          json.at("validation_loss").get<double>(), json.at("seconds").get<double>(),
          json.at("checkpoint").get<std::string>()};
}

ParsedResults parse_results(const std::string& text, const nlohmann::json& header, const std::string& path) {
  ParsedResults parsed;
  // Each trial's first line: its number, and the result it holds.
  std::map<std::string, std::pair<std::int64_t, nlohmann::json>> first_line_of;
  std::int64_t number = 0;
  std::size_t begin = 0;
  while (begin < text.size()) {
    const std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) break;  // a write cut short by a crash: the trial is redone
    const std::string_view line(text.data() + begin, end - begin);
    ++number;
    begin = end + 1;
    parsed.complete_bytes = static_cast<std::int64_t>(begin);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    nlohmann::json json;
    try {
      json = nlohmann::json::parse(line);
      if (!parsed.has_header) {
        TG_CHECK(json.is_object() && json.contains(kHeaderKey),
                 "search: '{}' is not a tapegrad search results file (its first line has no \"search\" description); "
                 "use --fresh to overwrite it or another --results file", path);
        const std::string diff = differences(json.at(kHeaderKey), header);
        TG_CHECK(diff.empty(), "search: the results file '{}' is from a different search ({}); use --fresh to start "
                 "over or another --results file", path, diff);
        parsed.has_header = true;
        continue;
      }
      TrialResult result;
      try {
        result = trial_result_from_json(json);
      } catch (const tg::Error& e) {
        fail("search: line {} of the results file '{}' is not a trial result: {}", number, path, e.what());
      }
      const nlohmann::json canonical = to_json(result);
      const auto [it, first] = first_line_of.try_emplace(to_json(result.spec).dump(), number, canonical);
      if (first) {
        parsed.finished.push_back(std::move(result));
        continue;
      }
      const auto& [earlier, earlier_result] = it->second;
      TG_CHECK(earlier_result == canonical,
               "search: lines {} and {} of the results file '{}' hold different results for stage {} trial {} ({} "
               "and {}); a results file must be written by one search at a time: remove the wrong line or use "
               "--fresh", earlier, number, path, result.spec.stage, result.spec.trial, earlier_result.dump(),
               canonical.dump());
      parsed.warnings.push_back(fmt::format("line {} of the results file '{}' repeats line {} (stage {} trial {}) "
                                            "and is ignored", number, path, earlier, result.spec.stage,
                                            result.spec.trial));
    } catch (const nlohmann::json::exception& e) {
      fail("search: line {} of the results file '{}' is not a trial result: {}", number, path, e.what());
    }
  }
  return parsed;
}

ResultsFile::ResultsFile(std::string path, nlohmann::json header, bool fresh) : path_(std::move(path)) {
  TG_CHECK(!path_.empty(), "search: --results must name a file");
  if (fresh || !std::filesystem::exists(path_)) {
    start_over(header);
    return;
  }

  std::ifstream in(path_, std::ios::binary);
  TG_CHECK(in, "search: cannot read the results file '{}'", path_);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ParsedResults parsed = parse_results(text, header, path_);
  if (!parsed.has_header) {  // empty, only blank lines, or only a cut header: it holds no trial
    start_over(header);
    return;
  }
  finished_ = std::move(parsed.finished);
  warnings_ = std::move(parsed.warnings);
  if (parsed.complete_bytes < static_cast<std::int64_t>(text.size()))
    std::filesystem::resize_file(path_, static_cast<std::uintmax_t>(parsed.complete_bytes));
}

void ResultsFile::start_over(const nlohmann::json& header) const {
  const auto parent = std::filesystem::path(path_).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  TG_CHECK(std::ofstream(path_, std::ios::trunc).good(), "search: cannot create the results file '{}'", path_);
  write_line(nlohmann::json{{kHeaderKey, header}}.dump());
}

void ResultsFile::append(const TrialResult& result) { write_line(to_json(result).dump()); }

void ResultsFile::write_line(const std::string& line) const {
  const std::string with_newline = line + "\n";
  const int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  TG_CHECK(fd >= 0, "search: cannot open the results file '{}': {}", path_, std::strerror(errno));
  const ssize_t written = ::write(fd, with_newline.data(), with_newline.size());
  const int write_error = errno;
  const bool synced = ::fdatasync(fd) == 0;
  ::close(fd);
  TG_CHECK(written == static_cast<ssize_t>(with_newline.size()) && synced,
           "search: cannot append to the results file '{}': {}", path_, std::strerror(write_error));
}

}  // namespace tg::train::search
