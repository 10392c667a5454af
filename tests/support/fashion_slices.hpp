#pragma once
// Small slices of Fashion-MNIST (the Debian package dataset-fashion-mnist, installed by
// scripts/bootstrap.sh) for training runs in tests.
#include <cstdint>
#include <numeric>
#include <vector>

#include <tapegrad/train/fashion_mnist.hpp>
#include <tapegrad/train/trainer.hpp>

// Consecutive images of one file: [0, train_size) to train on, the next validation_size
// to validate on, which also serve as the test set.
inline tg::train::TrainData small_fashion_mnist(
    std::int64_t train_size, std::int64_t validation_size,
    tg::train::FashionMnistSplit file = tg::train::FashionMnistSplit::train) {
  const tg::nn::data::Dataset full = tg::train::load_fashion_mnist(file);
  std::vector<std::int64_t> train(static_cast<std::size_t>(train_size));
  std::vector<std::int64_t> validation(static_cast<std::size_t>(validation_size));
  std::iota(train.begin(), train.end(), std::int64_t{0});
  std::iota(validation.begin(), validation.end(), train_size);
  return {full.subset(train), full.subset(validation), full.subset(validation)};
}
