// How a gradcheck report reads: a summary line, one row per input, and the worst
// elements of each input with analytic and numeric values side by side.
#include <fmt/format.h>

#include <algorithm>

#include "tapegrad/gradcheck.hpp"

namespace tg {

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::good: return "good";
    case Verdict::too_small: return "too-small-to-compare";
    case Verdict::ok_with_kinks: return "ok-with-kinks";
    case Verdict::kink_crossed: return "kink-crossed";
    case Verdict::suspicious: return "suspicious";
    case Verdict::wrong: return "wrong";
    case Verdict::unused: return "unused";
    case Verdict::non_finite: return "non-finite";
  }
  return "?";
}

namespace {

// In tables a wrong gradient is shouted, so it cannot be missed in a long listing.
std::string shown(Verdict v) {
  if (v == Verdict::wrong) return "WRONG";
  if (v == Verdict::non_finite) return "NON-FINITE";
  if (v == Verdict::unused) return "UNUSED";
  return std::string(verdict_name(v));
}

std::string explain(Verdict v) {
  switch (v) {
    case Verdict::good: return "relative error below 1e-7";
    case Verdict::too_small: return "values below 1e-10: the comparison is meaningless";
    case Verdict::ok_with_kinks: return "1e-7..1e-4, acceptable for a function with kinks";
    case Verdict::kink_crossed: return "x-h and x+h straddle a kink; the numeric value is not a derivative there";
    case Verdict::suspicious: return "relative error 1e-4..1e-2 (or above 1e-7 without kinks)";
    case Verdict::wrong: return "relative error above 1e-2: the backward rule is probably wrong";
    case Verdict::unused: return "an input the function does not depend on: it has no analytic gradient";
    case Verdict::non_finite: return "an analytic or numeric value is NaN or infinite";
  }
  return "";
}

std::string label(const GradcheckInputReport& in) { return in.name.empty() ? std::to_string(in.input) : in.name; }

// Why an input is unused and what to do, in plain words: the classic mistake is a
// function that reads a module's own parameters instead of its inputs.
std::string unused_line(const GradcheckInputReport& in, const GradcheckReport& report) {
  const std::string what = in.name.empty() ? fmt::format("input {}", in.input) : in.name;
  std::string line = fmt::format("  {} {}: unused: the function does not depend on it (no path from it to the output on "
                                 "the tape); {}",
                                 what, in.shape.str(), report.unused_advice.empty()
                                     ? "pass inputs the function reads, or use tg::nn::gradcheck_module for a "
                                       "module's parameters"
                                     : report.unused_advice);
  bool moves = false;
  for (int v = static_cast<int>(Verdict::suspicious); v < kVerdictCount; ++v) moves |= in.count[v] > 0;
  if (moves) line += "; yet f changes with it (see its elements): f reads it off the tape, e.g. through a detach";
  else if (report.allow_unused) line += " (allowed: allow_unused)";
  return line + "\n";
}

}  // namespace

std::string GradcheckReport::table() const {
  std::int64_t checked = 0;
  for (const auto& in : inputs) checked += in.checked;
  std::string out = fmt::format("gradcheck: {} ({}), max relative error {:.2e}, eps {:g}, {} coordinates, {} evaluations of f\n",
                                shown(verdict), explain(verdict), max_rel_error, eps, checked, evaluations);
  for (const auto& note : notes) out += fmt::format("  note: {}\n", note);
  std::size_t width = 6;
  for (const auto& in : inputs) width = std::max(width, label(in).size());
  out += fmt::format("  {:<{}} {:<16} {:>8} {:>12}  {}\n", "input", width, "shape", "checked", "max rel err", "verdicts");
  for (const auto& in : inputs) {
    std::string counts = in.unused ? "UNUSED:" : "";
    for (int v = 0; v < kVerdictCount; ++v)
      if (in.count[v])
        counts += fmt::format("{}{} {}", counts.empty() ? "" : counts == "UNUSED:" ? " " : ", ", in.count[v],
                              shown(static_cast<Verdict>(v)));
    out += fmt::format("  {:<{}} {:<16} {:>8} {:>12.2e}  {}\n", label(in), width, in.shape.str(), in.checked,
                       in.max_rel_error, counts);
  }
  for (const auto& in : inputs)
    if (in.unused) out += unused_line(in, *this);
  for (const auto& in : inputs) {
    if (in.worst.empty()) continue;
    out += fmt::format("  worst elements of input {}:\n", label(in));
    out += fmt::format("    {:<14} {:>12} {:>14} {:>14} {:>10}  {}\n", "index", "value", "analytic", "numeric", "rel err", "verdict");
    for (const auto& e : in.worst) {
      std::string verdict = shown(e.verdict);
      if (e.within_roundoff) verdict += " (within the roundoff of f)";
      if (e.verdict == Verdict::kink_crossed)
        verdict += fmt::format(" (one-sided slopes {:.4g} / {:.4g})", e.left_slope, e.right_slope);
      if (e.refined_step) verdict += " (re-estimated with h/10)";
      out += fmt::format("    {:<14} {:>12.5g} {:>14.7g} {:>14.7g} {:>10.2e}  {}\n", e.index.str(), e.value, e.analytic, e.numeric,
                         e.rel_error, verdict);
    }
  }
  return out;
}

std::string eps_sweep_table(const std::vector<GradcheckReport>& reports) {
  std::string out = fmt::format("  {:>8} {:>12}  {}\n", "eps", "max rel err", "verdict");
  for (const auto& r : reports)
    out += fmt::format("  {:>8.0e} {:>12.2e}  {}\n", r.eps, r.max_rel_error, shown(r.verdict));
  return out;
}

}  // namespace tg
