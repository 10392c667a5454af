// Scoring classifiers: test-time flip averaging (docs/formulas.md, noise marginalized
// at test) and the cnn's width, through evaluate, the trainer and the ensemble.
#include <doctest/doctest.h>

#include <cmath>

#include <tapegrad/nn/checkpoint.hpp>
#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"
#include <tapegrad/train/diagnostics/ensemble.hpp>
#include "fashion_slices.hpp"
#include "temp_dir.hpp"
#include <tapegrad/train/evaluation.hpp>
#include <tapegrad/train/trainer.hpp>

using tg::Tensor;
using namespace tg::train;

namespace {

// Images [1, 1, 1, 3] -> flatten -> Linear(3, 2) with weights that see left and right
// differently, so the mirror changes the prediction.
std::shared_ptr<tg::nn::Sequential> one_row_classifier() {
  auto model = std::make_shared<tg::nn::Sequential>();
  model->push_back(std::make_shared<tg::nn::Flatten>());
  auto linear = std::make_shared<tg::nn::Linear>(3, 2);
  tg::NoGradGuard no_grad;
  Tensor weight = linear->weight(), bias = linear->bias();  // handles to the parameters
  weight.copy_(tg::from_vector(std::vector<double>{1, 0, -1, 0, 0.5, 0}, {2, 3}));
  bias.copy_(tg::from_vector(std::vector<double>{0, 0.25}, {2}));
  model->push_back(linear);
  return model;
}

std::vector<double> softmax2(double a, double b) {
  const double m = std::max(a, b);
  const double ea = std::exp(a - m), eb = std::exp(b - m);
  return {ea / (ea + eb), eb / (ea + eb)};
}

}  // namespace

TEST_CASE("flip averaging: the log of the mean softmax of the image and its mirror, by hand") {
  auto model = one_row_classifier();
  model->eval();
  tg::NoGradGuard no_grad;
  // x = [2, 1, 0]: logits [2, 0.75]; mirror [0, 1, 2]: logits [-2, 0.75].
  const Tensor x = tg::from_vector(std::vector<float>{2, 1, 0}, {1, 1, 1, 3});
  const std::vector<double> plain = softmax2(2, 0.75), mirrored = softmax2(-2, 0.75);
  const auto averaged = class_log_probabilities(*model, x, true).to_vector<double>();
  REQUIRE(averaged.size() == 2);
  for (std::size_t k = 0; k < 2; ++k)
    CHECK(averaged[k] == doctest::Approx(std::log((plain[k] + mirrored[k]) / 2)).epsilon(1e-6));
  // The plain image alone prefers class 0 (p 0.777); the average prefers class 1 (p 0.581).
  const auto alone = class_log_probabilities(*model, x, false).to_vector<double>();
  CHECK(alone[0] == doctest::Approx(std::log(plain[0])).epsilon(1e-6));
  CHECK(std::exp(averaged[1]) == doctest::Approx(0.5813).epsilon(1e-3));

  // A left-right symmetric image is its own mirror: averaging changes nothing.
  const Tensor symmetric = tg::from_vector(std::vector<float>{1, 3, 1}, {1, 1, 1, 3});
  const auto a = class_log_probabilities(*model, symmetric, true).to_vector<double>();
  const auto b = class_log_probabilities(*model, symmetric, false).to_vector<double>();
  CHECK(a[0] == doctest::Approx(b[0]).epsilon(1e-6));
  CHECK(a[1] == doctest::Approx(b[1]).epsilon(1e-6));

  // Far-apart logits: the probabilities underflow in f32, the log-probabilities stay finite.
  const Tensor extreme = tg::from_vector(std::vector<float>{200, 0, 0}, {1, 1, 1, 3});
  for (double v : class_log_probabilities(*model, extreme, true).to_vector<double>()) CHECK(std::isfinite(v));

  CHECK_ERROR(class_log_probabilities(*model, tg::from_vector(std::vector<float>{1, 2, 3}, {1, 3}), true),
              "evaluate: flip averaging needs images [N, C, H, W], got 2 dims");
}

TEST_CASE("evaluate with flip averaging: mean -ln p[label] and the accuracy of the averaged prediction") {
  auto model = one_row_classifier();
  const Tensor images = tg::from_vector(std::vector<float>{2, 1, 0, 0, 1, 2}, {2, 1, 1, 3});
  const tg::nn::data::Dataset dataset{images, tg::from_vector(std::vector<std::int64_t>{0, 1}, {2})};
  // Image 1 ([0, 1, 2]) is image 0 mirrored: both average to the same p = (0.419, 0.581).
  const double p1 = (softmax2(2, 0.75)[1] + softmax2(-2, 0.75)[1]) / 2;
  const Evaluation averaged = evaluate(*model, dataset, std::nullopt, {.flip_average = true});
  CHECK(averaged.accuracy == 0.5);
  CHECK(averaged.loss == doctest::Approx((-std::log(1 - p1) - std::log(p1)) / 2).epsilon(1e-6));
  // Without it each image is scored alone: image 0 -> class 0 (right), image 1 -> class 1 (right).
  const Evaluation plain = evaluate(*model, dataset, std::nullopt);
  CHECK(plain.accuracy == 1.0);
  CHECK(plain.loss == doctest::Approx((-std::log(softmax2(2, 0.75)[0]) - std::log(softmax2(-2, 0.75)[1])) / 2)
                          .epsilon(1e-6));
  CHECK(model->is_training());  // the mode is restored
}

TEST_CASE("train with test-time flip: validation and test are scored with the averaged prediction") {
  const TempDir dir;
  const TrainData data = small_fashion_mnist(1000, 500);
  TrainConfig config;
  config.model = "mlp";
  config.epochs = 2;
  config.test_time_flip = true;
  config.augmentation.flip_probability = 0.5;
  config.checkpoint_dir = dir.path().string();
  const TrainResult r = train_classifier(config, data);
  CHECK(r.test.accuracy > 0.5);  // chance is 0.1

  const tg::nn::Checkpoint saved = tg::nn::load_checkpoint(r.checkpoint);
  tg::manual_seed(0);
  auto model = tg::nn::make_model("mlp");
  model->load_state_dict(saved.model_state);
  const auto norm = tg::nn::data::compute_normalization(data.train);
  const Evaluation flipped = evaluate(*model, data.test, norm, {.flip_average = true});
  CHECK(flipped.accuracy == r.test.accuracy);
  CHECK(flipped.loss == doctest::Approx(r.test.loss));
  CHECK(evaluate(*model, data.test, norm).loss != doctest::Approx(r.test.loss));

  // The ensemble scores its members the same way.
  const EnsembleResult one = evaluate_ensemble({r.checkpoint}, data.test, std::nullopt, {.flip_average = true});
  CHECK(one.members[0].evaluation.accuracy == r.test.accuracy);
  CHECK(one.members[0].evaluation.loss == doctest::Approx(r.test.loss).epsilon(1e-5));
}

TEST_CASE("cnn width: 2 doubles the channels and hidden units, other widths and models are errors") {
  // conv 1->32 (no bias), BN 32, conv 32->64, BN 64, linear 3136->128, linear 128->10.
  const std::int64_t width1 = 9 * 32 + 2 * 32 + 9 * 32 * 64 + 2 * 64 + (3136 * 128 + 128) + (128 * 10 + 10);
  const std::int64_t width2 = 9 * 64 + 2 * 64 + 9 * 64 * 128 + 2 * 128 + (6272 * 256 + 256) + (256 * 10 + 10);
  CHECK(tg::nn::make_model("cnn")->num_parameters() == width1);
  const auto wide = tg::nn::make_model("cnn", {.width = 2});
  CHECK(wide->num_parameters() == width2);
  wide->eval();
  tg::NoGradGuard no_grad;
  CHECK((*wide)(tg::zeros({3, 1, 28, 28})).shape() == tg::Shape{3, 10});

  CHECK_ERROR(tg::nn::make_model("cnn", {.width = 0}), "make_model: width must be in [1, 16], got 0");
  CHECK_ERROR(tg::nn::make_model("mlp", {.width = 2}), "make_model: width 2 applies to the cnn only, not to 'mlp'");
  TrainConfig config;
  config.model_options.width = 17;
  CHECK_ERROR(config.validate(), "width must be in [1, 16], got 17");  // before any data is loaded
}

TEST_CASE("ensemble: a checkpoint's width in its metadata rebuilds the wide cnn") {
  const TempDir dir;
  const TrainData data = small_fashion_mnist(0, 20);
  tg::manual_seed(1);
  const auto wide = tg::nn::make_model("cnn", {.dropout = 0.5, .width = 2});
  tg::nn::save_checkpoint(dir.file("wide.safetensors"), wide->state_dict(), {},
                          {{"model", "cnn"}, {"dropout", "0.5"}, {"width", "2"}});
  const EnsembleResult r = evaluate_ensemble({dir.file("wide.safetensors")}, data.test, std::nullopt);
  CHECK(r.members[0].evaluation.accuracy == doctest::Approx(evaluate(*wide, data.test, std::nullopt).accuracy));

  tg::nn::save_checkpoint(dir.file("bad.safetensors"), wide->state_dict(), {},
                          {{"model", "cnn"}, {"dropout", "0.5"}, {"width", "two"}});
  CHECK_ERROR(evaluate_ensemble({dir.file("bad.safetensors")}, data.test, std::nullopt),
              "the metadata's width 'two' is not an integer: expected an integer in [1, 16]");
}
