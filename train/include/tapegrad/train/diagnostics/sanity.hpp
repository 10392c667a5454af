#pragma once
// The sanity checks before learning (CS231n lecture 6), each with its
// numbers and a pass/fail:
//   1. the loss at initialization is the loss at chance: -ln(1/C) for softmax, and
//      C - 1 for the multiclass SVM when the scores are tiny;
//   2. raising the L2 regularization strength raises the loss;
//   3. a small subset (20 examples) overfits to near-zero loss with regularization
//      and dropout off.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <tapegrad/nn/data/loader.hpp>
#include <tapegrad/nn/module.hpp>
#include <tapegrad/train/models.hpp>

namespace tg::train {

struct InitialLossCheck {
  std::int64_t classes = 0, examples = 0;
  double softmax_loss = 0, softmax_expected = 0;  // expected -ln(1/C)
  double svm_loss = 0, svm_expected = 0;          // expected C - 1
  double tolerance = 0;                           // relative
  bool passed = false;
};

struct RegularizationCheck {
  std::vector<double> lambdas;  // increasing, the first 0
  std::vector<double> losses;   // data loss + lambda * l2_penalty(parameters), one per lambda
  bool passed = false;          // losses strictly increase
};

struct OverfitCheck {
  std::int64_t examples = 0, steps = 0, max_steps = 0;
  double final_loss = 0, threshold = 0;  // final_loss: the loss at the last step taken
  double accuracy = 0;                   // on the examples, after the steps
  bool passed = false;                   // final_loss < threshold within max_steps
};

// The model in train mode (as the first step of training sees it) on images [N, ...]
// and labels [N]; no parameter changes.
InitialLossCheck check_initial_loss(nn::Module& model, const Tensor& images, const Tensor& labels,
                                    double tolerance = 0.05);
RegularizationCheck check_regularization(nn::Module& model, const Tensor& images, const Tensor& labels,
                                         const std::vector<double>& lambdas = {0, 1e-1, 1, 1e1, 1e2, 1e3});
// Full-batch adam steps on (images, labels) until the loss is below threshold. Trains model.
OverfitCheck check_overfit(nn::Module& model, const Tensor& images, const Tensor& labels, double threshold = 0.05,
                           std::int64_t max_steps = 300, double lr = 1e-3);

// Makes a fresh model for the checks, any nn::Module that maps the examples to class
// scores. with_dropout false asks for one without dropout (the overfit check); a factory
// whose model has no dropout ignores it.
using SanityModelFactory = std::function<nn::ModulePtr(bool with_dropout)>;

struct SanityCheckOptions {
  std::uint64_t seed = 0;  // the default generator's seed for each fresh model: training's gives the same initial model
  std::int64_t overfit_examples = 20;
  double overfit_threshold = 0.05;
  std::int64_t overfit_max_steps = 300;
};

// A built-in model by name (nn::make_model).
struct SanityOptions : SanityCheckOptions {
  std::string model = "cnn";
  nn::ModelOptions model_options{};  // for checks 1 and 2; check 3 turns dropout off
};

struct SanityResults {
  InitialLossCheck initial_loss;
  RegularizationCheck regularization;
  OverfitCheck overfit;
  bool passed() const { return initial_loss.passed && regularization.passed && overfit.passed; }
  // One "PASS ..." or "FAIL ..." line per check, with its numbers.
  std::vector<std::string> lines() const;
};

// Runs the three checks, each on a freshly made model seeded like training's: 1 and 2 on
// all of examples (normalized training images), 3 on the first overfit_examples of them.
// The default random stream is left as found.
SanityResults run_sanity_checks(const SanityModelFactory& make_model, const nn::data::Batch& examples,
                                const SanityCheckOptions& options = {});
SanityResults run_sanity_checks(const SanityOptions& options, const nn::data::Batch& examples);

}  // namespace tg::train
