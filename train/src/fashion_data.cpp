#include <tapegrad/train/fashion_data.hpp>

#include <vector>

#include <tapegrad/error.hpp>
#include <tapegrad/nn/data/split.hpp>
#include <tapegrad/train/fashion_mnist.hpp>

namespace tg::train {

TrainData load_fashion_mnist_data(const std::string& dir, std::int64_t validation_size, std::uint64_t seed,
                                  std::string_view command, bool with_test) {
  const std::string folder = dir.empty() ? fashion_mnist_dir() : dir;
  const nn::data::Dataset full = load_fashion_mnist(folder, FashionMnistSplit::train);
  TG_CHECK(validation_size >= 1 && validation_size < full.size(), "{}: --validation must be in [1, {}), got {}",
           command, full.size(), validation_size);
  auto split = nn::data::train_validation_split(full, validation_size, seed);
  return {split.train, split.validation,
          with_test ? load_fashion_mnist(folder, FashionMnistSplit::test) : nn::data::Dataset{}};
}

nn::data::Dataset first_samples(const nn::data::Dataset& dataset, std::int64_t count) {
  if (count <= 0 || count >= dataset.size()) return dataset;
  std::vector<std::int64_t> first(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) first[static_cast<std::size_t>(i)] = i;
  return dataset.subset(first);
}

}  // namespace tg::train
