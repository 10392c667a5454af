// The Trainer on models and data of the user's choosing: a run resumed from its run state
// continues bit for bit, regression targets train with a loss of their own, early
// stopping ends a run, and transfer learning starts from another run's weights.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include <tapegrad/nn/checkpoint.hpp>
#include <tapegrad/nn/data/split.hpp>
#include <tapegrad/nn/nn.hpp>
#include <tapegrad/nn/safetensors.hpp>
#include <tapegrad/tapegrad.hpp>
#include <tapegrad/train/trainer.hpp>

#include "check_error.hpp"
#include "fashion_slices.hpp"
#include "temp_dir.hpp"

using namespace tg::train;

namespace {

// Ends the run after the given epoch, as a kill would (the run state of that epoch is on disk).
class StopAfter : public Callback {
 public:
  explicit StopAfter(std::int64_t epoch) : epoch_(epoch) {}
  void on_epoch_end(EpochContext& context) override { context.stop = context.record.epoch == epoch_; }

 private:
  std::int64_t epoch_;
};

std::map<std::string, tg::Tensor> model_tensors_of_run_state(const std::string& path) {
  std::map<std::string, tg::Tensor> model;
  for (auto& [key, tensor] : tg::nn::load_safetensors(path))
    if (key.rfind("model.", 0) == 0) model.emplace(key, tensor);
  return model;
}

bool same_bytes(const tg::Tensor& a, const tg::Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.raw_data(), b.raw_data(), static_cast<std::size_t>(a.numel()) * tg::dtype_size(a.dtype())) == 0;
}

TrainConfig resumable_config(const std::string& dir) {
  TrainConfig config;
  config.model = "mlp";
  config.model_options.dropout = 0.2;  // the default random stream
  config.augmentation = {.flip_probability = 0.5, .crop_padding = 2, .jitter = 0.1};
  config.average = true;
  config.optimizer = "adamw";
  config.epochs = 4;
  config.seed = 7;
  config.checkpoint_dir = dir;
  return config;
}

}  // namespace

TEST_CASE("Trainer: 2 epochs, then resume for 2 more, equal 4 epochs straight, byte for byte") {
  const TrainData data = small_fashion_mnist(256, 64, tg::train::FashionMnistSplit::test);
  const TempDir straight_dir, resumed_dir;
  const TrainResult straight = train_classifier(resumable_config(straight_dir.path().string()), data);

  TrainConfig config = resumable_config(resumed_dir.path().string());
  const TrainResult first_half = train_classifier(config, data, {}, {std::make_shared<StopAfter>(2)});
  REQUIRE(first_half.history.size() == 2);
  CHECK(first_half.stopped_early);
  config.resume_from = first_half.run_state;
  const TrainResult resumed = train_classifier(config, data);

  REQUIRE(resumed.history.size() == 4);
  for (std::size_t e = 0; e < 4; ++e) {
    CHECK(resumed.history[e].train_loss == straight.history[e].train_loss);
    CHECK(resumed.history[e].validation.loss == straight.history[e].validation.loss);
    CHECK(resumed.history[e].averaged_validation->loss == straight.history[e].averaged_validation->loss);
    CHECK(resumed.history[e].lr == straight.history[e].lr);
  }
  CHECK(resumed.best_epoch == straight.best_epoch);
  CHECK(resumed.test.loss == straight.test.loss);
  CHECK(resumed.test.accuracy == straight.test.accuracy);
  CHECK(resumed.averaged_test->loss == straight.averaged_test->loss);
  // Every parameter and buffer after the last epoch, byte for byte.
  const auto a = model_tensors_of_run_state(straight.run_state), b = model_tensors_of_run_state(resumed.run_state);
  REQUIRE(a.size() == b.size());
  for (const auto& [key, tensor] : a) CHECK_MESSAGE(same_bytes(tensor, b.at(key)), key);
}

TEST_CASE("Trainer: resume refuses a file that is not a run state, and a run that has nothing left to train") {
  const TrainData data = small_fashion_mnist(128, 64, tg::train::FashionMnistSplit::test);
  const TempDir dir;
  TrainConfig config = resumable_config(dir.path().string());
  config.epochs = 1;
  const TrainResult done = train_classifier(config, data);
  config.resume_from = done.run_state;
  CHECK_ERROR(train_classifier(config, data), "has already trained 1 epochs; the run asks for 1");
  config.resume_from = done.checkpoint;
  config.epochs = 2;
  CHECK_ERROR(train_classifier(config, data), "is not a run state (a model checkpoint?");
  config.resume_from = dir.file("missing.safetensors");
  CHECK_ERROR(train_classifier(config, data), "resume: no run-state file");
}

TEST_CASE("Trainer: a user's module learns a linear regression from feature rows with float targets") {
  // y = 2 x0 - 3 x1 + 1, 256 rows.
  tg::manual_seed(3);
  const tg::Tensor x = tg::randn({256, 2});
  const std::vector<float> xs = x.to_vector<float>();
  std::vector<float> ys;
  for (std::size_t i = 0; i < 256; ++i) ys.push_back(2 * xs[2 * i] - 3 * xs[2 * i + 1] + 1);
  const tg::nn::data::Dataset rows{x, tg::from_vector(ys, {256, 1})};
  const auto model = std::make_shared<tg::nn::Linear>(2, 1);
  Trainer trainer(model, {.epochs = 30, .batch_size = 32, .optimizer = "sgd",
                          .optimizer_options = tg::optim::Options{{"lr", 0.1}}, .schedule = "none"});
  const TrainResult r = trainer.fit({rows, rows, rows});
  CHECK(std::isnan(r.history.back().train_accuracy));
  CHECK(std::isnan(r.test.accuracy));
  CHECK(r.test.loss < 1e-6);
  CHECK(r.best_validation_loss == r.history[static_cast<std::size_t>(r.best_epoch - 1)].validation.loss);
  // Normalized inputs: the learned weights are 2 and -3 times each feature's std.
  const auto w = model->parameters()[0].to_vector<float>();
  const auto norm = tg::nn::data::compute_normalization(rows);
  CHECK(w[0] == doctest::Approx(2 * norm.std[0]).epsilon(1e-3));
  CHECK(w[1] == doctest::Approx(-3 * norm.std[1]).epsilon(1e-3));
}

TEST_CASE("Trainer: EarlyStopping ends a run that stops improving, and the loss must be a scalar") {
  tg::manual_seed(0);
  const tg::nn::data::Dataset rows{tg::randn({64, 3}), tg::randn({64, 1})};
  TrainOptions options{.epochs = 10, .optimizer = "sgd", .optimizer_options = tg::optim::Options{{"lr", 1e-12}}};
  Trainer trainer(std::make_shared<tg::nn::Linear>(3, 1), options);
  const auto stopping = std::make_shared<EarlyStopping>(2, 1e-3);
  trainer.add_callback(stopping);
  const TrainResult r = trainer.fit({rows, rows, {}});
  CHECK(r.stopped_early);
  CHECK(r.history.size() == 3);  // epoch 1 sets the best; 2 and 3 do not improve on it by 1e-3
  CHECK(stopping->stopped_after() == 3);
  CHECK_ERROR(EarlyStopping(0), "patience must be at least 1 epoch, got 0");

  // A constant feature cannot be normalized; flips are for images.
  const tg::nn::data::Dataset constant{tg::ones({8, 2}), tg::randn({8, 1})};
  CHECK_ERROR(Trainer(std::make_shared<tg::nn::Linear>(2, 1), options).fit({constant, constant, {}}),
              "channel 0 has zero variance (every value is 1); it cannot be scaled to unit variance (a constant input "
              "cannot be normalized: train with TrainOptions::normalize = false");
  TrainOptions flips = options;
  flips.test_time_flip = true;
  CHECK_ERROR(Trainer(std::make_shared<tg::nn::Linear>(3, 1), flips).fit({rows, rows, {}}),
              "train: test-time flip averaging is for class labels of images [N, C, H, W]; the data is [64, 3] with f32 "
              "labels");

  Trainer elementwise(std::make_shared<tg::nn::Linear>(3, 1), options);
  elementwise.set_loss([](const tg::Tensor& out, const tg::Tensor& y) { return out - y; });
  CHECK_ERROR(elementwise.fit({rows, rows, {}}), "the loss function returned 64 values [64, 1], expected one");
  CHECK_ERROR(elementwise.fit({rows, rows, {}}), "this Trainer has already trained");
}

TEST_CASE("Trainer: transfer learning starts from another run, freezes a prefix and tunes another's lr") {
  const TrainData data = small_fashion_mnist(256, 64, tg::train::FashionMnistSplit::test);
  const TempDir dir;
  TrainConfig source;
  source.model = "mlp";
  source.epochs = 1;
  source.checkpoint_dir = dir.path().string();
  const TrainResult trained = train_classifier(source, data);
  const tg::nn::Checkpoint saved = tg::nn::load_checkpoint(trained.checkpoint);

  // mlp: flatten (0), 784-256 (1), relu, 256-128 (3), relu, 128-10 (5).
  TrainConfig fine = source;
  fine.checkpoint_dir.clear();
  fine.seed = 99;  // another initialization: only init_from makes it start where the source ended
  fine.init_from = trained.checkpoint;
  fine.freeze = {"1."};
  fine.lr_for = {{"5.", 1e-2}};
  const TrainResult tuned = train_classifier(fine, data);
  CHECK(tuned.not_initialized.empty());
  CHECK(tuned.history[0].train_loss < trained.history[0].train_loss);  // it starts trained

  // The frozen first layer ends as the source saved it.
  tg::manual_seed(0);
  Trainer frozen(tg::nn::make_model("mlp"), TrainOptions{.epochs = 1, .init_from = trained.checkpoint,
                                                         .freeze = {"1."}, .lr_for = {{"5.", 1e-2}}});
  frozen.fit(data);
  const auto params = frozen.model().named_parameters();
  CHECK(same_bytes(params[0].second, saved.model_state.at("1.weight")));
  CHECK_FALSE(same_bytes(params[2].second, saved.model_state.at("3.weight")));

  fine.freeze = {"features."};
  CHECK_ERROR(train_classifier(fine, data), "train: --freeze 'features.' matches no parameter of Sequential; its "
                                            "parameters are: 1.weight, 1.bias, 3.weight");
  fine.freeze = {"1.", "3.", "5."};
  fine.lr_for.clear();
  CHECK_ERROR(train_classifier(fine, data), "every parameter of Sequential is frozen");
}
