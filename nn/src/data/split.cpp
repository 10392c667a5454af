#include "tapegrad/nn/data/split.hpp"

#include <algorithm>

#include "tapegrad/error.hpp"
#include "tapegrad/nn/data/permutation.hpp"

namespace tg::nn::data {

TrainValidationSplit train_validation_split(const Dataset& dataset, std::int64_t validation_size,
                                            std::uint64_t seed) {
  check_dataset(dataset, "train_validation_split");
  const std::int64_t n = dataset.size();
  TG_CHECK(validation_size >= 0 && validation_size <= n,
           "train_validation_split: validation_size {} for a dataset of {} samples, expected 0 to {}",
           validation_size, n, n);
  std::vector<std::int64_t> order = random_permutation(n, seed);
  std::vector<std::int64_t> validation(order.begin(), order.begin() + validation_size);
  std::vector<std::int64_t> train(order.begin() + validation_size, order.end());
  std::sort(validation.begin(), validation.end());
  std::sort(train.begin(), train.end());
  return {dataset.subset(train), dataset.subset(validation)};
}

}  // namespace tg::nn::data
