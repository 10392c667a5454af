#pragma once
// Fashion-MNIST as the commands train on it: the training file split into train and
// validation (seeded), and the test file when it is wanted. Shared by train and search.
#include <cstdint>
#include <string>
#include <string_view>

#include <tapegrad/nn/data/dataset.hpp>

#include <tapegrad/train/trainer.hpp>

namespace tg::train {

// dir empty: train::fashion_mnist_dir(). A validation size outside [1, training size) is
// an error that names the command ("train: --validation must be in ...").
TrainData load_fashion_mnist_data(const std::string& dir, std::int64_t validation_size, std::uint64_t seed,
                                  std::string_view command, bool with_test);

// The first count samples (all of them when count <= 0 or count >= the size).
nn::data::Dataset first_samples(const nn::data::Dataset& dataset, std::int64_t count);

}  // namespace tg::train
