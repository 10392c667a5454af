#pragma once
// One validation fold carved from the training set (docs/formulas.md).
#include <cstdint>

#include "tapegrad/nn/data/dataset.hpp"

namespace tg::nn::data {

struct TrainValidationSplit {
  Dataset train;
  Dataset validation;
};

// A seeded random split: validation_size samples (in [0, N]) chosen by a random
// permutation of (N, seed), the rest for training. Both parts keep the samples in
// their original relative order, so the split is a pure function of (N, size, seed).
TrainValidationSplit train_validation_split(const Dataset& dataset, std::int64_t validation_size,
                                            std::uint64_t seed);

}  // namespace tg::nn::data
