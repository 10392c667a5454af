#include <tapegrad/train/op_sweep_report.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

namespace tg::train {

namespace {

std::string format_error(double e) { return std::isfinite(e) ? fmt::format("{:.2e}", e) : "inf"; }

std::string ops_count(std::size_t n) { return fmt::format("{} op{}", n, n == 1 ? "" : "s"); }

// rows under headers, each column as wide as its widest cell; columns flagged in
// right_aligned hold numbers.
std::string text_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows,
                       const std::vector<bool>& right_aligned) {
  std::vector<std::size_t> width(headers.size());
  for (std::size_t c = 0; c < headers.size(); ++c) {
    width[c] = headers[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  const auto line_of = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (c > 0) line += "  ";
      line += right_aligned[c] ? fmt::format("{:>{}}", cells[c], width[c]) : fmt::format("{:<{}}", cells[c], width[c]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line + "\n";
  };
  std::string out = line_of(headers);
  for (const auto& row : rows) out += line_of(row);
  return out;
}

}  // namespace

std::vector<const OpTableEntry*> select_ops(const std::vector<std::string>& names) {
  std::vector<const OpTableEntry*> entries;
  if (names.empty()) {
    for (const auto& entry : op_table()) entries.push_back(&entry);
    return entries;
  }
  for (const auto& name : names) {
    const OpTableEntry* entry = &find_op(name);  // throws, listing the valid names
    if (std::find(entries.begin(), entries.end(), entry) == entries.end()) entries.push_back(entry);
  }
  return entries;
}

std::string op_sweep_table(const std::vector<OpSweepResult>& results, bool gradgrad) {
  std::vector<std::string> headers = {"op", "samples", "verdict", "max rel err"};
  std::vector<bool> right = {false, true, false, true};
  if (gradgrad) {
    headers.insert(headers.end(), {"gradgrad", "gradgrad err"});
    right.insert(right.end(), {false, true});
  }
  headers.insert(headers.end(), {"f32 diff", "f32", "ms"});
  right.insert(right.end(), {true, false, true});

  std::vector<std::vector<std::string>> rows;
  for (const auto& r : results) {
    std::vector<std::string> row = {r.name, std::to_string(r.samples),
                                    r.errors.empty() ? std::string(verdict_name(r.verdict)) : "error",
                                    format_error(r.max_rel_error)};
    if (gradgrad) {
      row.push_back(r.gradgrad_run ? std::string(verdict_name(r.gradgrad_verdict)) : "-");
      row.push_back(r.gradgrad_run ? format_error(r.gradgrad_max_rel_error) : "-");
    }
    row.insert(row.end(), {format_error(r.f32_max_diff), r.f32_ok ? "ok" : "DIFFERS", fmt::format("{:.1f}", r.ms)});
    rows.push_back(std::move(row));
  }
  return text_table(headers, rows, right);
}

std::string op_sweep_summary(const std::vector<OpSweepResult>& results) {
  std::vector<std::string> wrong, suspicious;
  for (const auto& r : results) {
    if (r.wrong()) {
      std::vector<std::string> why;
      if (!r.errors.empty()) why.push_back("threw");
      if (r.verdict >= Verdict::wrong) why.push_back("gradient");
      if (r.gradgrad_run && r.gradgrad_verdict >= Verdict::wrong) why.push_back("second derivative");
      if (!r.f32_ok) why.push_back("f32 differs");
      wrong.push_back(fmt::format("{} ({})", r.name, fmt::join(why, ", ")));
    } else if (r.suspicious()) {
      suspicious.push_back(r.name);
    }
  }
  if (!wrong.empty())
    return fmt::format("{} of {} wrong: {}", wrong.size(), ops_count(results.size()), fmt::join(wrong, "; "));
  if (!suspicious.empty())
    return fmt::format("{}, none wrong; suspicious: {}", ops_count(results.size()), fmt::join(suspicious, ", "));
  return fmt::format("{}, all good", ops_count(results.size()));
}

nlohmann::ordered_json to_json(const OpSweepResult& r) {
  const auto number = [](double x) {
    return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json(nullptr);
  };
  nlohmann::ordered_json j = {{"name", r.name},
                              {"samples", r.samples},
                              {"verdict", verdict_name(r.verdict)},
                              {"max_rel_error", number(r.max_rel_error)},
                              {"f32_samples", r.f32_samples},
                              {"f32_max_diff", number(r.f32_max_diff)},
                              {"f32_ok", r.f32_ok},
                              {"ms", r.ms},
                              {"wrong", r.wrong()}};
  if (r.gradgrad_run) {
    j["gradgrad_verdict"] = verdict_name(r.gradgrad_verdict);
    j["gradgrad_max_rel_error"] = number(r.gradgrad_max_rel_error);
  }
  if (!r.errors.empty()) j["errors"] = r.errors;
  return j;
}

bool any_wrong(const std::vector<OpSweepResult>& results) {
  return std::any_of(results.begin(), results.end(), [](const auto& r) { return r.wrong(); });
}

}  // namespace tg::train
