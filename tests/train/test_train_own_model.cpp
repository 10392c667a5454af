// A model of the user's own, from C++: a hyperparameter search (trainer_trial builds each
// trial's model from the values it takes and trains it with a Trainer; run_search ranks
// the trials and keeps their checkpoints, named by validation score) and the optimizer race.
#include <doctest/doctest.h>

#include <filesystem>

#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>
#include <tapegrad/train/race/fashion_race.hpp>
#include <tapegrad/train/search/runner.hpp>
#include <tapegrad/train/search/trainer_trial.hpp>

#include "check_error.hpp"
#include "fashion_slices.hpp"
#include "temp_dir.hpp"

using namespace tg::train;

namespace {

// A user's model: its width comes from the search.
tg::nn::ModulePtr small_net(double hidden, double dropout) {
  auto net = std::make_shared<tg::nn::Sequential>();
  net->push_back(std::make_shared<tg::nn::Flatten>());
  net->push_back(std::make_shared<tg::nn::Linear>(784, static_cast<std::int64_t>(hidden)));
  net->push_back(std::make_shared<tg::nn::ReLU>());
  net->push_back(std::make_shared<tg::nn::Dropout>(dropout));
  net->push_back(std::make_shared<tg::nn::Linear>(static_cast<std::int64_t>(hidden), 10));
  return net;
}

}  // namespace

TEST_CASE("search over a user's model: 3 trials train with their own width, dropout and lr, and are ranked") {
  const TrainData data = small_fashion_mnist(512, 128, tg::train::FashionMnistSplit::test);
  const TempDir dir;
  std::vector<double> widths_built;
  search::TrainerTrialSetup setup;
  setup.make_model = [&](const search::Configuration& values) {
    widths_built.push_back(values.at("hidden"));
    return small_net(values.at("hidden"), values.at("dropout"));
  };
  setup.model_values = {"hidden", "dropout"};
  setup.options.optimizer = "adam";
  setup.data = data;
  setup.checkpoint_dir = dir.file("trials");
  std::filesystem::create_directories(setup.checkpoint_dir);

  search::SearchPlan plan;
  plan.space.ranges = {search::parse_range("lr=1e-4:1e-2"), search::parse_range("dropout=0:0.5"),
                       search::parse_range("hidden=16:64:linear")};
  plan.stages = {{.trials = 3, .epochs = 1, .train_limit = 256}};
  search::ResultsFile results(dir.file("results.jsonl"), {{"search", "own model"}}, false);
  search::InProcessExecutor executor(search::trainer_trial(setup));
  const search::SearchSummary summary = search::run_search(plan, results, executor);

  REQUIRE(summary.ranked.size() == 3);
  CHECK(widths_built.size() == 3);
  CHECK(summary.ranked[0].validation_accuracy >= summary.ranked[2].validation_accuracy);
  CHECK(summary.ranked[0].validation_accuracy > 0.3);  // chance is 0.1
  for (const search::TrialResult& r : summary.ranked) {
    CHECK(std::filesystem::exists(r.checkpoint));
    CHECK(r.checkpoint.find(search::checkpoint_file_name(r.validation_accuracy, r.spec.stage, r.spec.trial)) !=
          std::string::npos);
  }
  CHECK(search::ResultsFile(dir.file("results.jsonl"), {{"search", "own model"}}, false).finished().size() == 3);
  CHECK_ERROR(search::trainer_trial({}), "search: the trial's make_model is empty");
}

TEST_CASE("optimizer race on a user's model: every optimizer starts from the same initialization") {
  const TrainData data = small_fashion_mnist(256, 64, tg::train::FashionMnistSplit::test);
  FashionRaceSettings settings;
  settings.iterations = 8;
  settings.batch_size = 32;
  settings.final_loss_window = 4;
  std::int64_t built = 0;
  settings.make_model = [&] {
    ++built;
    return small_net(32, 0);
  };
  const FashionRun sgd = run_fashion_race(data.train, data.test, "sgd", {{"lr", 0.1}}, settings);
  const FashionRun adam = run_fashion_race(data.train, data.test, "adam", {}, settings);
  CHECK(built == 2);
  REQUIRE(sgd.loss.size() == 8);
  CHECK(sgd.loss[0] == adam.loss[0]);  // the same model and batch before the first step
  CHECK(sgd.loss[1] != adam.loss[1]);
  CHECK(sgd.test.accuracy > 0);
}
