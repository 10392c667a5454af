#include "tapegrad/nn/data/loader.hpp"

#include <algorithm>
#include <numeric>
#include <span>

#include "gather_samples.hpp"
#include "tapegrad/error.hpp"
#include "tapegrad/nn/data/permutation.hpp"

namespace tg::nn::data {

namespace {
// Independent streams of one loader seed: the shuffle of epoch e, and the augmentation
// draws of batch i in epoch e.
std::uint64_t shuffle_seed(std::uint64_t seed, std::int64_t epoch) {
  return derive_seed(seed, 2 * static_cast<std::uint64_t>(epoch));
}
std::uint64_t augmentation_seed(std::uint64_t seed, std::int64_t epoch, std::int64_t batch) {
  return derive_seed(derive_seed(seed, 2 * static_cast<std::uint64_t>(epoch) + 1), static_cast<std::uint64_t>(batch));
}
}  // namespace

DataLoader::DataLoader(Dataset dataset, LoaderOptions options)
    : dataset_(std::move(dataset)), options_(std::move(options)) {
  check_dataset(dataset_, "DataLoader");
  TG_CHECK(options_.batch_size > 0, "DataLoader: batch_size {}, expected > 0", options_.batch_size);
  options_.augmentation.validate();
  TG_CHECK(!options_.augmentation.enabled() || dataset_.images.dim() == 4,
           "DataLoader: augmentation (flip, crop, jitter) needs images [N, C, H, W], got {}",
           dataset_.images.shape().str());
  if (options_.normalization) {
    TG_CHECK(static_cast<std::int64_t>(options_.normalization->mean.size()) == dataset_.images.size(1),
             "DataLoader: the normalization has {} channels, the images {} ({})",
             options_.normalization->mean.size(), dataset_.images.size(1), dataset_.images.shape().str());
  }
  set_epoch(0);
}

std::int64_t DataLoader::num_batches() const {
  const std::int64_t n = dataset_.size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

std::int64_t DataLoader::num_samples() const {
  return options_.drop_last ? num_batches() * options_.batch_size : dataset_.size();
}

void DataLoader::set_epoch(std::int64_t epoch) {
  TG_CHECK(epoch >= 0, "DataLoader::set_epoch: epoch {}, expected >= 0", epoch);
  epoch_ = epoch;
  if (options_.shuffle) {
    order_ = random_permutation(dataset_.size(), shuffle_seed(options_.seed, epoch));
  } else if (static_cast<std::int64_t>(order_.size()) != dataset_.size()) {
    order_.resize(static_cast<std::size_t>(dataset_.size()));
    std::iota(order_.begin(), order_.end(), std::int64_t{0});
  }
}

Batch DataLoader::batch(std::int64_t i) const {
  TG_CHECK(i >= 0 && i < num_batches(), "DataLoader::batch: batch {} is out of range for {} batches", i,
           num_batches());
  const std::int64_t start = i * options_.batch_size;
  const std::int64_t count = std::min(options_.batch_size, dataset_.size() - start);
  const std::span<const std::int64_t> indices(order_.data() + start, static_cast<std::size_t>(count));
  Batch out = detail::gather_samples(dataset_, indices, "DataLoader::batch");
  if (options_.augmentation.enabled()) {
    Generator gen(augmentation_seed(options_.seed, epoch_, i));
    out.images = options_.augmentation.apply(out.images, gen);
  }
  if (options_.normalization) options_.normalization->apply_inplace(out.images);
  return out;
}

const Batch& DataLoader::Iterator::operator*() const {
  if (!current_) current_ = loader_->batch(index_);
  return *current_;
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  ++index_;
  current_.reset();
  return *this;
}

}  // namespace tg::nn::data
