// The training loop on real data: a small slice of Fashion-MNIST (the Debian package
// dataset-fashion-mnist, installed by scripts/bootstrap.sh) learns, and its best
// checkpoint restores the same model.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>

#include <tapegrad/nn/checkpoint.hpp>
#include <tapegrad/nn/data/split.hpp>
#include <tapegrad/tapegrad.hpp>
#include <tapegrad/train/fashion_mnist.hpp>

#include "fashion_slices.hpp"
#include <tapegrad/train/trainer.hpp>

TEST_CASE("train smoke: an mlp on 2000 Fashion-MNIST images starts near ln(10) and learns") {
  const auto data = small_fashion_mnist(2000, 1000);
  const auto dir = std::filesystem::temp_directory_path() / "tapegrad_test_train_smoke";
  std::filesystem::remove_all(dir);

  tg::train::TrainConfig config;
  config.model = "mlp";
  config.epochs = 3;
  config.optimizer = "adam";
  config.checkpoint_dir = dir.string();
  double first_loss = 0;
  tg::train::TrainCallbacks callbacks;
  callbacks.on_batch = [&](const tg::train::BatchProgress& p) {
    if (p.epoch == 1 && p.batch == 1) first_loss = p.loss;
  };
  const tg::train::TrainResult r = tg::train::train_classifier(config, data, callbacks);

  // 10 classes at chance: -ln(1/10) = 2.3026 (docs/formulas.md).
  CHECK(first_loss == doctest::Approx(std::log(10.0)).epsilon(0.02));
  REQUIRE(r.history.size() == 3);
  CHECK(r.history.back().train_loss < 0.35 * first_loss);
  CHECK(r.history.back().validation.accuracy > 0.7);  // chance is 0.1
  CHECK(r.test.accuracy > 0.7);
  CHECK(r.best_validation_accuracy == r.history[static_cast<std::size_t>(r.best_epoch - 1)].validation.accuracy);

  // The best checkpoint holds the model that was tested, and the optimizer's state.
  REQUIRE(std::filesystem::exists(r.checkpoint));
  const tg::nn::Checkpoint saved = tg::nn::load_checkpoint(r.checkpoint);
  CHECK(saved.metadata.at("model") == "mlp");
  CHECK(saved.metadata.at("epoch") == std::to_string(r.best_epoch));
  CHECK_FALSE(saved.optimizer_state.empty());
  auto model = tg::nn::make_model("mlp");
  model->load_state_dict(saved.model_state);
  const auto norm = tg::nn::data::compute_normalization(data.train);
  const tg::train::Evaluation again = tg::train::evaluate(*model, data.test, norm);
  CHECK(again.accuracy == r.test.accuracy);
  std::filesystem::remove_all(dir);
}

TEST_CASE("train: the same seed gives the same run") {
  const auto data = small_fashion_mnist(512, 256);
  tg::train::TrainConfig config;
  config.model = "mlp";
  config.epochs = 1;
  config.model_options.dropout = 0.3;
  config.augmentation = {.flip_probability = 0.5, .crop_padding = 2, .jitter = 0.1};
  const auto a = tg::train::train_classifier(config, data);
  const auto b = tg::train::train_classifier(config, data);
  CHECK(a.history[0].train_loss == b.history[0].train_loss);
  CHECK(a.test.loss == b.test.loss);
  config.seed = 1;
  CHECK(tg::train::train_classifier(config, data).history[0].train_loss != a.history[0].train_loss);
}

TEST_CASE("train: bad configurations are clear errors") {
  const auto data = small_fashion_mnist(64, 64);
  tg::train::TrainConfig config;
  config.epochs = 0;
  CHECK_THROWS_WITH_AS(tg::train::train_classifier(config, data), doctest::Contains("epochs must be at least 1, got 0"),
                       tg::Error);
  config.epochs = 1;
  config.model = "resnet";
  CHECK_THROWS_WITH_AS(tg::train::train_classifier(config, data),
                       doctest::Contains("unknown model 'resnet'; known models: cnn, mlp"), tg::Error);
  config.model = "mlp";
  config.optimizer = "adamax";
  CHECK_THROWS_WITH_AS(tg::train::train_classifier(config, data), doctest::Contains("adamax"), tg::Error);
  config.optimizer = "sgd";
  config.schedule = "linear";
  CHECK_THROWS_WITH_AS(tg::train::train_classifier(config, data), doctest::Contains("unknown schedule 'linear'"),
                       tg::Error);
}
