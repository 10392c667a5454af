// How a gradcheck report reads: a summary line, one row per input, and the worst
// elements of each input with analytic and numeric values side by side.
#include <fmt/format.h>

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
    case Verdict::non_finite: return "non-finite";
  }
  return "?";
}

namespace {

// In tables a wrong gradient is shouted, so it cannot be missed in a long listing.
std::string shown(Verdict v) {
  if (v == Verdict::wrong) return "WRONG";
  if (v == Verdict::non_finite) return "NON-FINITE";
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
    case Verdict::non_finite: return "an analytic or numeric value is NaN or infinite";
  }
  return "";
}

}  // namespace

std::string GradcheckReport::table() const {
  std::int64_t checked = 0;
  for (const auto& in : inputs) checked += in.checked;
  std::string out = fmt::format("gradcheck: {} ({}), max relative error {:.2e}, eps {:g}, {} coordinates, {} evaluations of f\n",
                                shown(verdict), explain(verdict), max_rel_error, eps, checked, evaluations);
  for (const auto& note : notes) out += fmt::format("  note: {}\n", note);
  out += fmt::format("  {:<6} {:<16} {:>8} {:>12}  {}\n", "input", "shape", "checked", "max rel err", "verdicts");
  for (const auto& in : inputs) {
    std::string counts;
    for (int v = 0; v < kVerdictCount; ++v)
      if (in.count[v]) counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", in.count[v], shown(static_cast<Verdict>(v)));
    out += fmt::format("  {:<6} {:<16} {:>8} {:>12.2e}  {}\n", in.input, in.shape.str(), in.checked, in.max_rel_error, counts);
  }
  for (const auto& in : inputs) {
    if (in.worst.empty()) continue;
    out += fmt::format("  worst elements of input {}:\n", in.input);
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
