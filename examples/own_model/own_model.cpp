// Your own model gets everything: a residual CNN with BatchNorm and DropConnect, written
// here and nowhere in the library, run through what `tapegrad train` and `tapegrad
// search` do, with public headers only:
//   1. the sanity checks (loss at chance, regularization raises the loss, overfit 20);
//   2. training on Fashion-MNIST with a progress bar, the epoch table, the monitors
//      (update ratios, activation and gradient histograms, first-layer weights) and a
//      gradcheck of the whole model in f64 every few steps;
//   3. the HTML report, with a plot of our own added to it;
//   4. a 3-trial random search over the learning rate and the DropConnect probability.
// Usage: own_model OUTPUT_DIR [TRAIN_SAMPLES [EPOCHS]]   (defaults 10000 and 3)
// Exit status 0 when the sanity checks and the gradchecks pass and the test accuracy is
// above 0.5; 1 otherwise.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>
#include <tapegrad/train/train.hpp>

namespace nn = tg::nn;
namespace train = tg::train;
namespace search = tg::train::search;

// conv 3x3 -> BatchNorm -> ReLU, the CNN's unit.
nn::ModulePtr conv_bn_relu(std::int64_t in, std::int64_t out) {
  auto unit = std::make_shared<nn::Sequential>();
  unit->push_back(std::make_shared<nn::Conv2d>(in, out, 3, tg::Conv2dOptions{.padding = 1}));
  unit->push_back(std::make_shared<nn::BatchNorm2d>(out));
  unit->push_back(std::make_shared<nn::ReLU>());
  return unit;
}

// 1x28x28 -> conv 16 -> [residual: conv 16, conv 16] -> pool -> conv 32 -> pool
//         -> DropConnect(linear 1568-64) -> linear 64-10.
nn::ModulePtr residual_cnn(double drop_connect) {
  auto branch = std::make_shared<nn::Sequential>();
  branch->push_back(conv_bn_relu(16, 16));
  branch->push_back(std::make_shared<nn::Conv2d>(16, 16, 3, tg::Conv2dOptions{.padding = 1}));
  branch->push_back(std::make_shared<nn::BatchNorm2d>(16));

  auto net = std::make_shared<nn::Sequential>();
  net->push_back(conv_bn_relu(1, 16));
  net->push_back(std::make_shared<nn::Residual>(branch));
  net->push_back(std::make_shared<nn::ReLU>());
  net->push_back(std::make_shared<nn::MaxPool2d>(2));
  net->push_back(conv_bn_relu(16, 32));
  net->push_back(std::make_shared<nn::MaxPool2d>(2));
  net->push_back(std::make_shared<nn::Flatten>());
  net->push_back(std::make_shared<nn::DropConnect>(std::make_shared<nn::Linear>(32 * 7 * 7, 64), drop_connect));
  net->push_back(std::make_shared<nn::ReLU>());
  // Small last-layer weights: the scores start near zero, so the loss starts at chance
  // (-ln(1/10)), as the first sanity check expects. With the default init it starts near 4.4.
  auto scores = std::make_shared<nn::Linear>(64, 10);
  nn::normal_(scores->weight(), 0.01);
  net->push_back(scores);
  return net;
}

int main(int argc, char** argv) try {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR [TRAIN_SAMPLES [EPOCHS]]\n", argv[0]);
    return 2;
  }
  const std::filesystem::path out = argv[1];
  const std::int64_t train_samples = argc > 2 ? std::atoll(argv[2]) : 10000;
  const std::int64_t epochs = argc > 3 ? std::atoll(argv[3]) : 3;
  std::filesystem::create_directories(out);

  // Fashion-MNIST (the Debian package dataset-fashion-mnist): 1000 validation images held
  // out of the training file, the test file for the end.
  train::TrainData data = train::load_fashion_mnist_data("", 1000, /*seed=*/0, "own_model", /*with_test=*/true);
  data.train = train::first_samples(data.train, train_samples);
  const auto norm = tg::nn::data::compute_normalization(data.train);

  // 1. Sanity checks, each on a fresh model (DropConnect off for the overfit check).
  const train::SanityResults sanity = train::run_sanity_checks(
      [](bool with_dropout) { return residual_cnn(with_dropout ? 0.3 : 0.0); },
      train::first_examples(data.train, 128, norm));
  for (const std::string& line : sanity.lines()) std::printf("%s\n", line.c_str());

  // 2. Training with the monitors on.
  tg::manual_seed(0);  // initialization and DropConnect masks
  train::TrainOptions options;
  options.epochs = epochs;
  options.optimizer = "adamw";
  options.optimizer_options.set("lr", 2e-3);
  options.checkpoint_dir = (out / "checkpoints").string();
  options.run_name = "residual_cnn";
  train::Trainer trainer(residual_cnn(0.3), options);
  auto monitor = std::make_shared<train::TrainingMonitor>(train::first_examples(data.validation, 64, norm),
                                                          train::MonitorOptions{.ratio_every = 20});
  auto gradcheck = std::make_shared<train::StepGradcheck>(
      40, train::first_examples(data.validation, 8, norm),
      [](const std::string& text) { std::printf("%s\n", text.c_str()); },
      train::ModelGradcheckOptions{.max_coords_per_parameter = 3});
  trainer.add_callback(std::make_shared<train::ProgressBar>(stderr))
      .add_callback(std::make_shared<train::EpochTable>(stdout))
      .add_callback(monitor)
      .add_callback(gradcheck);
  const train::TrainResult result = trainer.fit(data);
  std::printf("test accuracy %.4f (epoch %lld of %lld)\n", result.test.accuracy,
              static_cast<long long>(result.best_epoch), static_cast<long long>(result.history.size()));

  // 3. The report, plus a plot of our own: the validation loss per epoch.
  const train::ModelSummary model_summary =
      train::summarize_model(trainer.model(), train::first_examples(data.validation, 8, norm).images);
  train::report::Report page = train::make_train_report(
      {options, result, *monitor, model_summary, &sanity, &gradcheck->reports(), "residual CNN (examples/own_model)"});
  train::report::Series validation{"validation loss", {}, {}};
  for (const train::EpochRecord& e : result.history) {
    validation.x.push_back(static_cast<double>(e.epoch));
    validation.y.push_back(e.validation.loss);
  }
  page.heading("Our own plot");
  page.add(train::report::LinePlot{.title = "validation loss", .x_label = "epoch", .series = {validation}});
  page.save((out / "report.html").string());
  std::printf("report: %s\n", (out / "report.html").string().c_str());

  // 4. A 3-trial search over lr and the DropConnect probability, 1 epoch on 1000 images each.
  search::TrainerTrialSetup setup;
  setup.make_model = [](const search::Configuration& values) { return residual_cnn(values.at("drop_connect")); };
  setup.model_values = {"drop_connect"};
  setup.options.optimizer = "adamw";
  setup.data = {data.train, data.validation, {}};
  search::SearchPlan plan;
  plan.space.ranges = {search::parse_range("lr=3e-4:1e-2"), search::parse_range("drop_connect=0:0.5:linear")};
  plan.stages = {{.trials = 3, .epochs = 1, .train_limit = 1000}};
  search::ResultsFile results((out / "search.jsonl").string(), {{"example", "own_model"}}, /*fresh=*/true);
  search::InProcessExecutor executor(search::trainer_trial(setup));
  const search::SearchSummary summary = search::run_search(plan, results, executor);
  std::printf("search: best validation accuracy %.4f with %s\n", summary.ranked[0].validation_accuracy,
              search::to_json(summary.ranked[0].spec).dump().c_str());

  const bool ok = sanity.passed() && gradcheck->passed() && result.test.accuracy > 0.5;
  std::printf("own_model: %s\n", ok ? "OK" : "FAILED");
  return ok ? 0 : 1;
} catch (const std::exception& error) {
  std::fprintf(stderr, "own_model: error: %s\n", error.what());
  return 2;
}
