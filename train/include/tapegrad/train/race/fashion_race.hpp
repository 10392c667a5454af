#pragma once
// The optimizer race on Fashion-MNIST (CS231n lecture 7): the network of its comparison
// (nn::make_model("mlp5x100"): five hidden layers of 100 ReLU units, He init) trained
// by each optimizer for the same number of iterations from the same initialization on
// the same batches, recording the minibatch loss per iteration. The lecture's finding:
// SGD slowest; momentum, AdaGrad and Adam close.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <tapegrad/nn/data/dataset.hpp>
#include <tapegrad/optim/options.hpp>

#include <tapegrad/train/trainer.hpp>

namespace tg::train {

struct FashionRaceSettings {
  std::string model = "mlp5x100";  // any registered model (nn::make_model), with its default options
  // A model of the caller's own instead (called with the default generator seeded with
  // seed, so every optimizer starts from the same initialization); the race's data may
  // then be any classification dataset the model takes.
  std::function<nn::ModulePtr()> make_model{};
  std::int64_t iterations = 1000;
  std::int64_t batch_size = 128;
  std::uint64_t seed = 0;                 // initialization and batch order, the same for every optimizer
  std::int64_t final_loss_window = 100;  // final_loss averages the last this many minibatch losses

  void validate() const;
};

struct FashionRun {
  std::string optimizer{};
  double lr = 0;
  std::vector<double> loss{};  // the minibatch loss of every iteration
  double final_loss = 0;       // the mean of the last final_loss_window entries of loss
  Evaluation test{};           // on the test set after the last iteration
  double seconds_per_step = 0; // forward, backward and step of one iteration
};

// The learning rates that make the comparison fair: each optimizer at the best of
// {1/3, 1, 3} times its default lr after 1000 iterations (seed 0, batch 128); an
// optimizer not listed (a plug-in) keeps its own default.
optim::Options default_fashion_options(const std::string& optimizer);

// Trains settings.model on train with optimizer (created with options) and evaluates it
// on test (skipped when test is empty). on_iteration(i, loss) follows every iteration (1-based).
FashionRun run_fashion_race(const nn::data::Dataset& train, const nn::data::Dataset& test, const std::string& optimizer,
                            const optim::Options& options, const FashionRaceSettings& settings,
                            const std::function<void(std::int64_t, double)>& on_iteration = {});

}  // namespace tg::train
