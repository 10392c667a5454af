#include <tapegrad/train/diagnostics/sanity.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include <tapegrad/autograd.hpp>
#include <tapegrad/error.hpp>
#include <tapegrad/ops/losses.hpp>
#include <tapegrad/ops/views.hpp>
#include <tapegrad/optim/registry.hpp>

#include <tapegrad/train/diagnostics/fixed_batch.hpp>
#include <tapegrad/train/evaluation.hpp>

namespace tg::train {

namespace {

double relative_difference(double value, double expected) { return std::abs(value - expected) / std::abs(expected); }

double accuracy(const Tensor& logits, const Tensor& labels) {
  return static_cast<double>(correct_predictions(logits, labels)) / static_cast<double>(labels.numel());
}

const char* verdict(bool passed) { return passed ? "PASS" : "FAIL"; }

}  // namespace

InitialLossCheck check_initial_loss(nn::Module& model, const Tensor& images, const Tensor& labels, double tolerance) {
  NoGradGuard no_grad;
  model.train();
  const Tensor scores = model(images);
  InitialLossCheck check;
  check.classes = scores.size(1);
  check.examples = scores.size(0);
  check.tolerance = tolerance;
  check.softmax_loss = cross_entropy(scores, labels).item();
  check.softmax_expected = -std::log(1.0 / static_cast<double>(check.classes));
  check.svm_loss = svm_hinge_loss(scores, labels).item();
  check.svm_expected = static_cast<double>(check.classes - 1);
  check.passed = relative_difference(check.softmax_loss, check.softmax_expected) <= tolerance &&
                 relative_difference(check.svm_loss, check.svm_expected) <= tolerance;
  return check;
}

RegularizationCheck check_regularization(nn::Module& model, const Tensor& images, const Tensor& labels,
                                         const std::vector<double>& lambdas) {
  TG_CHECK(lambdas.size() >= 2, "sanity: the regularization check needs at least 2 strengths, got {}",
           lambdas.size());
  NoGradGuard no_grad;
  model.train();
  const double data_loss = cross_entropy(model(images), labels).item();
  const double penalty = l2_penalty(model.parameters()).item();
  RegularizationCheck check;
  check.lambdas = lambdas;
  for (double lambda : lambdas) check.losses.push_back(data_loss + lambda * penalty);
  check.passed = true;
  for (std::size_t i = 1; i < check.losses.size(); ++i) check.passed &= check.losses[i] > check.losses[i - 1];
  return check;
}

OverfitCheck check_overfit(nn::Module& model, const Tensor& images, const Tensor& labels, double threshold,
                           std::int64_t max_steps, double lr) {
  TG_CHECK(max_steps >= 1, "sanity: the overfit check needs at least 1 step, got {}", max_steps);
  OverfitCheck check;
  check.examples = labels.numel();
  check.threshold = threshold;
  check.max_steps = max_steps;
  model.train();
  const auto optimizer = optim::create("adam", model.parameters(), {{"lr", lr}});
  while (check.steps < max_steps) {
    optimizer->zero_grad();
    const Tensor loss = cross_entropy(model(images), labels);
    check.final_loss = loss.item();
    ++check.steps;
    if (check.final_loss < threshold) break;
    loss.backward();
    optimizer->step();
  }
  check.passed = check.final_loss < threshold;
  NoGradGuard no_grad;
  model.eval();
  check.accuracy = accuracy(model(images), labels);
  model.train();
  return check;
}

SanityResults run_sanity_checks(const SanityModelFactory& make_model, const nn::data::Batch& examples,
                                const SanityCheckOptions& options) {
  TG_CHECK(static_cast<bool>(make_model), "sanity: the model factory is empty");
  TG_CHECK(examples.labels.numel() >= options.overfit_examples,
           "sanity: {} examples given, the overfit check needs {}", examples.labels.numel(), options.overfit_examples);
  TG_CHECK(examples.labels.dtype() == i64, "sanity: the checks are for classifiers; the labels are {}, expected i64",
           dtype_name(examples.labels.dtype()));
  // The model's own draws (dropout) must not move training's stream.
  const DefaultGeneratorRestore restore;
  const auto fresh = [&](bool with_dropout) {
    manual_seed(options.seed);
    nn::ModulePtr model = make_model(with_dropout);
    TG_CHECK(model != nullptr, "sanity: the model factory returned null");
    return model;
  };
  SanityResults results;
  {
    const auto model = fresh(true);
    results.initial_loss = check_initial_loss(*model, examples.images, examples.labels);
    results.regularization = check_regularization(*model, examples.images, examples.labels);
  }
  const auto model = fresh(false);
  results.overfit = check_overfit(*model, slice(examples.images, 0, 0, options.overfit_examples),
                                  slice(examples.labels, 0, 0, options.overfit_examples), options.overfit_threshold,
                                  options.overfit_max_steps);
  return results;
}

SanityResults run_sanity_checks(const SanityOptions& options, const nn::data::Batch& examples) {
  nn::check_model_options(options.model, options.model_options);
  return run_sanity_checks(
      [&](bool with_dropout) {
        nn::ModelOptions model_options = options.model_options;
        if (!with_dropout) model_options.dropout = 0;
        return nn::make_model(options.model, model_options);
      },
      examples, options);
}

std::vector<std::string> SanityResults::lines() const {
  const InitialLossCheck& i = initial_loss;
  const RegularizationCheck& r = regularization;
  const OverfitCheck& o = overfit;
  return {
      fmt::format("{}  loss at init ({} examples): softmax {:.4f} vs -ln(1/{}) = {:.4f} ({:.1f}% off); "
                  "SVM {:.4f} vs C-1 = {:.0f} ({:.1f}% off); tolerance {:.0f}%",
                  verdict(i.passed), i.examples, i.softmax_loss, i.classes, i.softmax_expected,
                  100 * relative_difference(i.softmax_loss, i.softmax_expected), i.svm_loss, i.svm_expected,
                  100 * relative_difference(i.svm_loss, i.svm_expected), 100 * i.tolerance),
      fmt::format("{}  regularization raises the loss: loss + lambda * l2 for lambda {:g}: {:.4g}", verdict(r.passed),
                  fmt::join(r.lambdas, ", "), fmt::join(r.losses, ", ")),
      fmt::format("{}  overfit {} examples (no dropout, no regularization, adam): loss {:.4f} after {} steps "
                  "(threshold {}, at most {} steps), accuracy {:.2f}",
                  verdict(o.passed), o.examples, o.final_loss, o.steps, o.threshold, o.max_steps, o.accuracy)};
}

}  // namespace tg::train
