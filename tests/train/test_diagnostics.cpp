// tapegrad train's diagnostics (docs/formulas.md): the sanity checks' numbers,
// update ratios, histograms, first-layer weights, ensembles, parameter averaging,
// the model gradcheck, checkpoint names.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <numeric>

#include <tapegrad/nn/checkpoint.hpp>
#include <tapegrad/nn/nn.hpp>
#include <tapegrad/optim/registry.hpp>
#include <tapegrad/tapegrad.hpp>
#include <tapegrad/train/fashion_mnist.hpp>

#include "check_error.hpp"
#include <tapegrad/train/diagnostics/ensemble.hpp>
#include <tapegrad/train/diagnostics/first_layer.hpp>
#include <tapegrad/train/diagnostics/fixed_batch.hpp>
#include <tapegrad/train/diagnostics/layer_histograms.hpp>
#include <tapegrad/train/diagnostics/model_gradcheck.hpp>
#include <tapegrad/train/diagnostics/sanity.hpp>
#include <tapegrad/train/diagnostics/training_monitor.hpp>
#include <tapegrad/train/diagnostics/update_ratio.hpp>
#include "fashion_slices.hpp"
#include "temp_dir.hpp"
#include <tapegrad/train/normalization_metadata.hpp>
#include <tapegrad/train/trainer.hpp>

using tg::Tensor;
using namespace tg::train;

namespace {

// The first n images of the Fashion-MNIST test file, normalized by their own statistics.
tg::nn::data::Batch fashion_examples(std::int64_t n) {
  const tg::nn::data::Dataset test = tg::train::load_fashion_mnist(tg::train::FashionMnistSplit::test);
  const tg::nn::data::Batch raw = first_examples(test, n, std::nullopt);
  return first_examples(test, n, tg::nn::data::compute_normalization({raw.images, raw.labels}));
}

// [N, 6] -> Linear(6, 5) -> ReLU -> Dropout(0.5) -> Linear(5, 3).
std::shared_ptr<tg::nn::Sequential> tiny_mlp(double dropout) {
  tg::manual_seed(3);
  auto model = std::make_shared<tg::nn::Sequential>();
  model->push_back(std::make_shared<tg::nn::Linear>(6, 5));
  model->push_back(std::make_shared<tg::nn::ReLU>());
  model->push_back(std::make_shared<tg::nn::Dropout>(dropout));
  model->push_back(std::make_shared<tg::nn::Linear>(5, 3));
  return model;
}

Tensor class_labels(const std::vector<std::int64_t>& labels) {
  return tg::from_vector(labels, {static_cast<std::int64_t>(labels.size())});
}

// A module holding one parameter w, for hand-made steps.
class Holder : public tg::nn::Module {
 public:
  explicit Holder(Tensor w) { register_parameter("w", std::move(w)); }
  std::string type_name() const override { return "Holder"; }
};

// value 2 x w, but the gradient of x w only: a backward that is wrong by half.
class HalfGradient : public tg::nn::Module {
 public:
  HalfGradient() { w_ = register_parameter("w", tg::randn({3, 3}, tg::f64)); }
  Tensor forward(const Tensor& x) override {
    const Tensor y = tg::matmul(x, w_);
    return y + y.detach();
  }
  std::string type_name() const override { return "HalfGradient"; }

 private:
  Tensor w_;
};

}  // namespace

TEST_CASE("sanity: an mlp starts at ln(10) and 9, regularization raises the loss, 20 examples overfit") {
  const tg::nn::data::Batch batch = fashion_examples(256);
  SanityOptions options;
  options.model = "mlp";
  options.model_options.dropout = 0.2;
  const SanityResults r = run_sanity_checks(options, batch);
  // -ln(1/10) = 2.302585; C - 1 = 9 (docs/formulas.md, Sanity checks).
  CHECK(r.initial_loss.softmax_expected == doctest::Approx(2.302585).epsilon(1e-6));
  CHECK(r.initial_loss.softmax_loss == doctest::Approx(2.302585).epsilon(0.05));
  CHECK(r.initial_loss.svm_expected == 9);
  CHECK(r.initial_loss.svm_loss == doctest::Approx(9).epsilon(0.05));
  CHECK(r.initial_loss.passed);
  REQUIRE(r.regularization.losses.size() == 6);
  for (std::size_t i = 1; i < 6; ++i) CHECK(r.regularization.losses[i] > r.regularization.losses[i - 1]);
  // loss(lambda) - loss(0) = lambda * l2: linear in lambda.
  const double penalty = r.regularization.losses[2] - r.regularization.losses[0];  // lambda 1
  CHECK(r.regularization.losses[5] - r.regularization.losses[0] == doctest::Approx(1000 * penalty).epsilon(1e-6));
  CHECK(r.overfit.examples == 20);
  CHECK(r.overfit.final_loss < 0.05);
  CHECK(r.overfit.steps <= 300);
  CHECK(r.overfit.accuracy == 1.0);
  CHECK(r.passed());
  const auto lines = r.lines();
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].rfind("PASS  loss at init", 0) == 0);
}

TEST_CASE("sanity: the cnn starts within 5% of ln(10) and overfits 20 examples") {
  const tg::nn::data::Batch batch = fashion_examples(64);
  // Any model, through a factory (here the built-in cnn, with its dropout off for the overfit check).
  const SanityResults r = run_sanity_checks(
      [](bool with_dropout) { return tg::nn::make_model("cnn", {.dropout = with_dropout ? 0.5 : 0.0}); }, batch);
  CHECK(r.initial_loss.softmax_loss == doctest::Approx(std::log(10.0)).epsilon(0.05));
  CHECK(r.regularization.passed);
  CHECK(r.overfit.final_loss < 0.05);
  CHECK(r.passed());
}

TEST_CASE("sanity: the checks fail when the facts do not hold") {
  // All-equal scores far from zero: the softmax loss is still ln(C), the SVM's is C - 1.
  // Large random scores are neither.
  auto model = tiny_mlp(0);
  tg::nn::normal_(std::dynamic_pointer_cast<tg::nn::Linear>(model->at(3))->weight(), 100.0);  // under NoGradGuard
  const Tensor x = tg::randn({16, 6});
  const Tensor y = class_labels({0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0});
  CHECK_FALSE(check_initial_loss(*model, x, y).passed);
  // One step cannot reach the threshold.
  const OverfitCheck overfit = check_overfit(*model, x, y, 0.05, 1);
  CHECK(overfit.steps == 1);
  CHECK_FALSE(overfit.passed);
}

TEST_CASE("update ratio of a hand-made sgd step: w = [3, 4], grad = [1, 0], lr = 0.5 gives 0.5 / 5 = 0.1") {
  Tensor w = tg::from_vector(std::vector<double>{3, 4}, {1, 2});  // a weight (2 dims): flagged
  Holder holder(w);
  const auto sgd = tg::optim::create("sgd", holder.parameters(), {{"lr", 0.5}});
  std::vector<std::string> warnings;
  UpdateRatioRecorder recorder(1, [&](const std::string& w) { warnings.push_back(w); });
  w.set_grad(tg::from_vector(std::vector<double>{1, 0}, {1, 2}));
  const StepContext context{1, 1, 0.0, holder, *sgd};
  recorder.before_step(context);
  const Tensor before = w.detach().clone();
  sgd->step();
  recorder.after_step(context);
  CHECK(w.to_vector<double>() == std::vector<double>{2.5, 4});
  CHECK(*update_ratio(before, w) == doctest::Approx(0.1));
  REQUIRE(recorder.parameters().size() == 1);
  CHECK(recorder.parameters()[0].name == "Holder.w");  // parameter_label: the model's own parameter
  REQUIRE(recorder.parameters()[0].ratios.size() == 1);
  CHECK(recorder.parameters()[0].ratios[0] == doctest::Approx(0.1));
  // 0.1 is above 1e-2: one warning, naming the parameter and the ratio.
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("update/weight ratio of Holder.w is 1.00e-01 at step 1") != std::string::npos);
  CHECK(warnings[0].find("too high") != std::string::npos);
  // Once per parameter.
  w.set_grad(tg::from_vector(std::vector<double>{1, 0}, {1, 2}));
  const StepContext second{2, 1, 0.0, holder, *sgd};
  recorder.before_step(second);
  sgd->step();
  recorder.after_step(second);
  CHECK(recorder.parameters()[0].ratios.size() == 2);
  CHECK(warnings.size() == 1);

  // The same step on a vector (a bias) is recorded, not flagged.
  Tensor b = tg::from_vector(std::vector<double>{3, 4}, {2});
  Holder bias(b);
  const auto bias_sgd = tg::optim::create("sgd", bias.parameters(), {{"lr", 0.5}});
  UpdateRatioRecorder bias_recorder(1, [&](const std::string& w) { warnings.push_back(w); });
  b.set_grad(tg::from_vector(std::vector<double>{1, 0}, {2}));
  const StepContext bias_step{1, 1, 0.0, bias, *bias_sgd};
  bias_recorder.before_step(bias_step);
  bias_sgd->step();
  bias_recorder.after_step(bias_step);
  CHECK(bias_recorder.parameters()[0].ratios[0] == doctest::Approx(0.1));
  CHECK(warnings.size() == 1);
}

TEST_CASE("update ratio: undefined for a zero weight, and the flag's band is 1e-4 to 1e-2") {
  CHECK_FALSE(update_ratio(tg::zeros({3}), tg::ones({3})).has_value());
  CHECK(*update_ratio(tg::ones({4}), tg::ones({4})) == 0);
  CHECK(classify_update_ratio(1e-3) == RatioHealth::healthy);
  CHECK(classify_update_ratio(1e-4) == RatioHealth::healthy);
  CHECK(classify_update_ratio(1e-2) == RatioHealth::healthy);
  CHECK(classify_update_ratio(9.9e-5) == RatioHealth::too_small);
  CHECK(classify_update_ratio(1.01e-2) == RatioHealth::too_large);
  CHECK(classify_update_ratio(5e-3, {.low = 1e-5, .high = 1e-3}) == RatioHealth::too_large);
  CHECK_ERROR(UpdateRatioRecorder(0), "sampling interval must be at least 1 step, got 0");
  CHECK_ERROR(update_ratio(tg::ones({2}), tg::ones({3})), "update_ratio: shapes differ: [2] before, [3] after");
}

TEST_CASE("layer histograms: one per Linear/ReLU output, one per parameter, counts summing to the values") {
  auto model = tiny_mlp(0.5);
  const Tensor x = tg::randn({7, 6});
  const Tensor y = class_labels({0, 1, 2, 0, 1, 2, 0});
  const auto stream = tg::default_generator().state();
  const LayerHistograms h = capture_layer_histograms(*model, x, y, "init", 10);
  const auto total = [](const tg::train::report::Histogram& histogram) {
    return std::accumulate(histogram.counts.begin(), histogram.counts.end(), 0.0);
  };
  REQUIRE(h.activations.size() == 3);  // Linear, ReLU, Linear (Dropout is not histogrammed)
  CHECK(h.activations[0].name == "0 Linear");  // the child's name and type, short enough for a small multiple
  CHECK(total(h.activations[0]) == 7 * 5);
  CHECK(total(h.activations[1]) == 7 * 5);
  CHECK(total(h.activations[2]) == 7 * 3);
  CHECK(h.activations[1].edges.front() >= 0);  // ReLU outputs
  REQUIRE(h.gradients.size() == 4);
  CHECK(h.gradients[0].name == "0 Linear.weight");  // where, what type, which parameter
  CHECK(total(h.gradients[0]) == 30);
  CHECK(total(h.gradients[3]) == 3);
  // Nothing changed: mode, .grad(), the random stream.
  CHECK(model->is_training());
  CHECK_FALSE(model->parameters()[0].grad().defined());
  CHECK(tg::default_generator().state().offset == stream.offset);
  CHECK_ERROR(capture_layer_histograms(*std::make_shared<tg::nn::Linear>(6, 5), x, y, "init"),
              "the model must be a Sequential");
}

TEST_CASE("first-layer weights: 64 rows of the mlp as 28x28 images, the cnn's 32 3x3 filters") {
  const auto mlp = tg::nn::make_model("mlp");
  const tg::train::report::ImageGrid grid = first_layer_weights(*mlp);
  REQUIRE(grid.images.size() == 64);
  CHECK(grid.images[0].width == 28);
  CHECK(grid.images[0].height == 28);
  // Image 1 is row 1 of the first Linear's weight.
  const auto& linear = dynamic_cast<const tg::nn::Linear&>(*std::dynamic_pointer_cast<tg::nn::Sequential>(mlp)->at(1));
  const std::vector<double> weight = linear.weight().to_vector<double>();
  CHECK(grid.images[1].pixels == std::vector<double>(weight.begin() + 784, weight.begin() + 2 * 784));
  const tg::train::report::ImageGrid filters = first_layer_weights(*tg::nn::make_model("cnn"), 100);
  REQUIRE(filters.images.size() == 32);
  CHECK(filters.images[0].width == 3);
  CHECK(filters.images[0].pixels.size() == 9);
  CHECK_ERROR(first_layer_weights(*tiny_mlp(0)), "Linear(6, 5) takes 6 inputs, not a square image");
}

TEST_CASE("ensemble: two identical checkpoints equal each member, two different ones beat the worse") {
  const TempDir dir;
  const TrainData data = small_fashion_mnist(1000, 500, tg::train::FashionMnistSplit::test);
  TrainConfig config;
  config.model = "mlp";
  config.epochs = 1;
  config.model_options.dropout = 0.2;
  config.checkpoint_dir = dir.path().string();
  const TrainResult trained = train_classifier(config, data);
  REQUIRE(trained.checkpoints.size() == 1);
  // An untrained model: near chance.
  const auto untrained = make_seeded_model("mlp", {.dropout = 0.2}, 5);
  const tg::nn::Checkpoint saved = tg::nn::load_checkpoint(trained.checkpoint);
  tg::nn::save_checkpoint(dir.file("untrained.safetensors"), untrained->state_dict(), {}, saved.metadata);

  const EnsembleResult same = evaluate_ensemble({trained.checkpoint, trained.checkpoint}, data.test, std::nullopt);
  CHECK(same.members[0].evaluation.accuracy == doctest::Approx(trained.test.accuracy));  // its own normalization
  CHECK(same.ensemble.accuracy == same.members[0].evaluation.accuracy);
  CHECK(same.ensemble.loss == doctest::Approx(same.members[0].evaluation.loss));

  const EnsembleResult mixed =
      evaluate_ensemble({trained.checkpoint, dir.file("untrained.safetensors")}, data.test, std::nullopt);
  REQUIRE(mixed.members.size() == 2);
  CHECK(mixed.members[1].evaluation.accuracy < 0.3);
  CHECK(mixed.ensemble.accuracy >= std::min(mixed.members[0].evaluation.accuracy, mixed.members[1].evaluation.accuracy));
  // -ln of a mean is at most the mean of -ln (Jensen): the ensemble's loss is at most the members' mean.
  CHECK(mixed.ensemble.loss <= (mixed.members[0].evaluation.loss + mixed.members[1].evaluation.loss) / 2);
  CHECK(mixed.mean_member_accuracy ==
        doctest::Approx((mixed.members[0].evaluation.accuracy + mixed.members[1].evaluation.accuracy) / 2));

  CHECK_ERROR(evaluate_ensemble({dir.file("missing.safetensors")}, data.test, std::nullopt),
              "--ensemble: no checkpoint file");
  CHECK_ERROR(evaluate_ensemble({}, data.test, std::nullopt), "--ensemble: no checkpoint given");
  tg::nn::save_checkpoint(dir.file("anonymous.safetensors"), untrained->state_dict());
  CHECK_ERROR(evaluate_ensemble({dir.file("anonymous.safetensors")}, data.test, std::nullopt),
              "has no \"model\" in its metadata");
}

TEST_CASE("train --average: validation and test are also evaluated with the averaged parameters") {
  const TrainData data = small_fashion_mnist(640, 256, tg::train::FashionMnistSplit::test);
  TrainConfig config;
  config.model = "mlp";
  config.epochs = 2;
  config.average = true;
  config.average_decay = 0.9;  // 20 steps: the initial weights keep 0.9^20 = 12% of the average
  const TrainResult r = train_classifier(config, data);
  REQUIRE(r.history.size() == 2);
  for (const EpochRecord& e : r.history) {
    REQUIRE(e.averaged_validation.has_value());
    CHECK(e.averaged_validation->accuracy > 0.3);  // chance is 0.1
    CHECK(e.averaged_validation->loss != e.validation.loss);
  }
  REQUIRE(r.averaged_test.has_value());
  CHECK(r.averaged_test->accuracy > 0.3);
  // Without averaging: none, and the run is otherwise the same.
  config.average = false;
  const TrainResult plain = train_classifier(config, data);
  CHECK_FALSE(plain.averaged_test.has_value());
  CHECK_FALSE(plain.history[0].averaged_validation.has_value());
  CHECK(plain.history[1].train_loss == r.history[1].train_loss);
  config.average_decay = 1;
  CHECK_ERROR(train_classifier(config, data), "the averaging decay must be in (0, 1), got 1");
}

TEST_CASE("gradcheck of a model's loss: a tiny mlp with dropout passes, a wrong backward is WRONG") {
  auto model = tiny_mlp(0.5);
  model->to(tg::f64);
  const Tensor x = tg::randn({5, 6});
  const Tensor y = class_labels({0, 1, 2, 1, 0});
  const tg::GradcheckReport report = gradcheck_loss(*model, x, y, {.max_coords_per_parameter = 10});
  INFO(report.table());
  CHECK(report.inputs.size() == 4);
  CHECK(report.passed());
  CHECK((report.verdict == tg::Verdict::good || report.verdict == tg::Verdict::ok_with_kinks));
  // The parameters end as they began.
  CHECK(model->parameters()[0].to_vector<double>() == tiny_mlp(0.5)->parameters()[0].to_vector<double>());

  HalfGradient wrong;
  const tg::GradcheckReport bad = gradcheck_loss(wrong, tg::randn({4, 3}), class_labels({0, 1, 2, 0}));
  CHECK(bad.verdict == tg::Verdict::wrong);
  // An f32 model is checked in f64 too, and stays f32 with its values.
  auto f32_model = tiny_mlp(0);
  const tg::GradcheckReport f32_report = gradcheck_loss(*f32_model, x, y, {.max_coords_per_parameter = 5});
  CHECK(f32_report.passed());
  CHECK(f32_model->parameters()[0].dtype() == tg::f32);
  CHECK(f32_model->parameters()[0].to_vector<float>() == tiny_mlp(0)->parameters()[0].to_vector<float>());
}

TEST_CASE("train hooks: monitoring and a gradcheck at steps 5, 10 leave the run unchanged") {
  const TrainData data = small_fashion_mnist(320, 128, tg::train::FashionMnistSplit::test);
  TrainConfig config;
  config.model = "mlp";
  config.epochs = 1;
  config.model_options.dropout = 0.2;
  const TrainResult plain = train_classifier(config, data);

  const auto monitor_ptr = std::make_shared<TrainingMonitor>(first_examples(data.validation, 32, std::nullopt),
                                                             MonitorOptions{.ratio_every = 2});
  std::vector<std::string> printed;
  const auto gradcheck_ptr = std::make_shared<StepGradcheck>(
      5, first_examples(data.validation, 2, std::nullopt), [&](const std::string& text) { printed.push_back(text); },
      ModelGradcheckOptions{.max_coords_per_parameter = 3});
  const TrainResult watched = train_classifier(config, data, {}, {monitor_ptr, gradcheck_ptr});
  const TrainingMonitor& monitor = *monitor_ptr;
  const StepGradcheck& gradcheck = *gradcheck_ptr;

  CHECK(watched.history[0].train_loss == plain.history[0].train_loss);
  CHECK(watched.test.loss == plain.test.loss);
  CHECK(monitor.losses().size() == 5);  // 320 / 64 steps
  REQUIRE(monitor.update_ratios().size() == 6);
  CHECK(monitor.update_ratios()[0].steps == std::vector<double>{2, 4});
  CHECK(monitor.initial_histograms()->label == "at initialization");
  CHECK(monitor.latest_histograms()->label == "after epoch 1");
  CHECK(monitor.first_layer()->images.size() == 64);
  REQUIRE(gradcheck.reports().size() == 1);  // step 5; step 10 is not reached
  CHECK(gradcheck.reports()[0].first == 5);
  CHECK(gradcheck.passed());
  REQUIRE(printed.size() == 1);
  CHECK(printed[0].find("gradcheck of the loss at step 5") != std::string::npos);
  CHECK(printed[0].find("  1.weight ") != std::string::npos);  // the table names the parameters
  CHECK(printed[0].find("  1.bias ") != std::string::npos);
  CHECK_ERROR(StepGradcheck(0, {}), "--gradcheck-every must be at least 1");
}

TEST_CASE("checkpoints are named by epoch and validation accuracy, and carry the normalization") {
  CHECK(checkpoint_file_name("cnn", 7, 0.91234) == "cnn-epoch07-val0.9123.safetensors");
  const TempDir dir;
  const TrainData data = small_fashion_mnist(640, 256, tg::train::FashionMnistSplit::test);
  TrainConfig config;
  config.model = "mlp";
  config.epochs = 2;
  config.checkpoint_dir = dir.path().string();
  const TrainResult r = train_classifier(config, data);
  // One per improvement of the validation accuracy, plus mlp-best and the run state.
  std::set<std::string> expected = {"mlp-best.safetensors", "mlp-run.safetensors"};
  for (const EpochRecord& e : r.history)
    if (e.best) expected.insert(checkpoint_file_name("mlp", e.epoch, e.validation.accuracy));
  CHECK(dir.entries() == expected);
  CHECK(r.checkpoints.size() + 2 == expected.size());
  CHECK(r.run_state == dir.file("mlp-run.safetensors"));
  const tg::nn::Checkpoint best = tg::nn::load_checkpoint(r.checkpoint);
  const auto norm = normalization_from_metadata(best.metadata);
  REQUIRE(norm.has_value());
  const auto computed = tg::nn::data::compute_normalization(data.train);
  CHECK(norm->mean == computed.mean);
  CHECK(norm->std == computed.std);
  CHECK(best.metadata.at("dropout") == "0");
}

TEST_CASE("prune_checkpoints keeps the newest k files and deletes the older ones, k = 0 keeps all") {
  const TempDir dir;
  std::vector<std::string> paths;
  for (const char* name : {"a", "b", "c", "d"}) {
    paths.push_back(dir.file(name));
    std::ofstream(paths.back()) << name;
  }
  std::vector<std::string> all = paths;
  prune_checkpoints(all, 0);
  CHECK(all.size() == 4);
  prune_checkpoints(paths, 2);
  CHECK(paths == std::vector<std::string>{dir.file("c"), dir.file("d")});
  CHECK(dir.entries() == std::set<std::string>{"c", "d"});
  prune_checkpoints(paths, 5);
  CHECK(paths.size() == 2);
  TrainConfig config;
  config.keep_checkpoints = -1;
  CHECK_ERROR(config.validate(), "train: --keep-checkpoints must be at least 0, got -1");
}

TEST_CASE("normalization metadata: absent gives nothing, malformed is a clear error") {
  CHECK_FALSE(normalization_from_metadata({{"model", "mlp"}}).has_value());
  CHECK_ERROR(normalization_from_metadata({{"input_mean", "[0.5]"}}), "'input_std' is missing");
  CHECK_ERROR(normalization_from_metadata({{"input_mean", "[0.5]"}, {"input_std", "wide"}}),
              "'input_std' is 'wide', expected a JSON array of numbers");
  std::map<std::string, std::string> metadata;
  add_normalization_metadata({{0.25, 0.5}, {1.5, 2}}, metadata);
  const auto back = normalization_from_metadata(metadata);
  CHECK(back->mean == std::vector<double>{0.25, 0.5});
  CHECK(back->std == std::vector<double>{1.5, 2});
}
