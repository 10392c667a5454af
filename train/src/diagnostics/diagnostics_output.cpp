#include <tapegrad/train/diagnostics/diagnostics_output.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace tg::train {

nlohmann::json to_json(const SanityResults& s) {
  const InitialLossCheck& i = s.initial_loss;
  const RegularizationCheck& r = s.regularization;
  const OverfitCheck& o = s.overfit;
  return {{"passed", s.passed()},
          {"initial_loss",
           {{"passed", i.passed},
            {"examples", i.examples},
            {"softmax_loss", i.softmax_loss},
            {"softmax_expected", i.softmax_expected},
            {"svm_loss", i.svm_loss},
            {"svm_expected", i.svm_expected},
            {"tolerance", i.tolerance}}},
          {"regularization", {{"passed", r.passed}, {"lambdas", r.lambdas}, {"losses", r.losses}}},
          {"overfit",
           {{"passed", o.passed},
            {"examples", o.examples},
            {"steps", o.steps},
            {"max_steps", o.max_steps},
            {"final_loss", o.final_loss},
            {"threshold", o.threshold},
            {"accuracy", o.accuracy}}}};
}

nlohmann::json to_json(const EnsembleResult& e) {
  nlohmann::json members = nlohmann::json::array();
  for (const EnsembleMember& m : e.members)
    members.push_back({{"checkpoint", m.path},
                       {"model", m.model},
                       {"test_accuracy", m.evaluation.accuracy},
                       {"test_loss", m.evaluation.loss}});
  return {{"members", members},
          {"mean_member_accuracy", e.mean_member_accuracy},
          {"ensemble_test_accuracy", e.ensemble.accuracy},
          {"ensemble_test_loss", e.ensemble.loss}};
}

std::vector<std::string> ensemble_lines(const EnsembleResult& e) {
  std::vector<std::string> lines;
  for (const EnsembleMember& m : e.members)
    lines.push_back(fmt::format("member    test accuracy {:.4f}  loss {:.4f}  {} ({})", m.evaluation.accuracy,
                                m.evaluation.loss, m.path, m.model));
  lines.push_back(fmt::format("ensemble  test accuracy {:.4f}  loss {:.4f}  (mean of the {} members' softmax; "
                              "mean member accuracy {:.4f})",
                              e.ensemble.accuracy, e.ensemble.loss, e.members.size(), e.mean_member_accuracy));
  return lines;
}

std::vector<RatioSummary> summarize(const std::vector<ParameterRatios>& parameters) {
  std::vector<RatioSummary> out;
  for (const ParameterRatios& p : parameters) {
    if (p.ratios.empty()) continue;
    std::vector<double> sorted = p.ratios;
    std::sort(sorted.begin(), sorted.end());
    out.push_back({p.name, sorted.size(), sorted.front(), sorted[sorted.size() / 2], sorted.back()});
  }
  return out;
}

nlohmann::json to_json(const std::vector<RatioSummary>& summaries) {
  nlohmann::json out = nlohmann::json::array();
  for (const RatioSummary& s : summaries)
    out.push_back({{"parameter", s.name}, {"samples", s.samples}, {"min", s.min}, {"median", s.median},
                   {"max", s.max}});
  return out;
}

std::string ratio_table(const std::vector<RatioSummary>& summaries) {
  std::size_t width = 9;
  for (const RatioSummary& s : summaries) width = std::max(width, s.name.size());
  std::string out = fmt::format("{:<{}}  {:>7}  {:>9}  {:>9}  {:>9}\n", "parameter", width, "samples", "min",
                                "median", "max");
  for (const RatioSummary& s : summaries)
    out += fmt::format("{:<{}}  {:>7}  {:>9.2e}  {:>9.2e}  {:>9.2e}\n", s.name, width, s.samples, s.min, s.median,
                       s.max);
  return out;
}

}  // namespace tg::train
