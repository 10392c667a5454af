// Data loading at the training loop's shapes: batches of 64 Fashion-MNIST-sized
// images (1 x 28 x 28) gathered from a 60000-sample dataset, with and without
// augmentation (flip, crop with padding 4, jitter) and normalization, and the time to
// read the Fashion-MNIST training set from its gzipped IDX files when installed.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <tapegrad/nn/data/loader.hpp>
#include <tapegrad/tapegrad.hpp>
#include <tapegrad/train/fashion_mnist.hpp>

namespace {

const tg::nn::data::Dataset& training_sized() {
  static const tg::nn::data::Dataset d = [] {
    tg::Generator gen(0);
    return tg::nn::data::Dataset{tg::rand({60000, 1, 28, 28}, tg::f32, &gen), tg::zeros({60000}, tg::i64)};
  }();
  return d;
}

void run_batches(benchmark::State& state, const tg::nn::data::LoaderOptions& options) {
  tg::nn::data::DataLoader loader(training_sized(), options);
  std::int64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(loader.batch(i).images.raw_data());
    if (++i == loader.num_batches()) i = 0;
  }
  state.SetItemsProcessed(state.iterations() * options.batch_size);
}

void BM_LoaderBatch64(benchmark::State& state) { run_batches(state, {}); }

void BM_LoaderBatch64Augmented(benchmark::State& state) {
  tg::nn::data::LoaderOptions options;
  options.augmentation = {0.5, 4, 0.1};
  options.normalization = tg::nn::data::Normalization{{0.286}, {0.353}};
  run_batches(state, options);
}

void BM_LoadFashionMnistTrain(benchmark::State& state) {
  const std::string dir = tg::train::fashion_mnist_dir();
  if (!std::filesystem::exists(std::filesystem::path(dir) / "train-images-idx3-ubyte.gz")) {
    state.SkipWithError("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(tg::train::load_fashion_mnist(dir, tg::train::FashionMnistSplit::train).size());
}

}  // namespace

BENCHMARK(BM_LoaderBatch64)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LoaderBatch64Augmented)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LoadFashionMnistTrain)->Unit(benchmark::kMillisecond)->Iterations(3);
