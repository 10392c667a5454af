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
// draws of epoch e (keyed by sample within it).
std::uint64_t shuffle_seed(std::uint64_t seed, std::int64_t epoch) {
  return derive_seed(seed, 2 * static_cast<std::uint64_t>(epoch));
}
std::uint64_t augmentation_seed(std::uint64_t seed, std::int64_t epoch) {
  return derive_seed(seed, 2 * static_cast<std::uint64_t>(epoch) + 1);
}

// Shard `shard` of an epoch order: every num_shards-th position of the order padded with
// its own beginning (or cut) to a multiple of num_shards.
std::vector<std::int64_t> shard_of(const std::vector<std::int64_t>& order, std::int64_t num_shards,
                                   std::int64_t shard, ShardTail tail) {
  const auto n = static_cast<std::int64_t>(order.size());
  const std::int64_t length = tail == ShardTail::pad ? (n + num_shards - 1) / num_shards : n / num_shards;
  std::vector<std::int64_t> out(static_cast<std::size_t>(length));
  for (std::int64_t k = 0; k < length; ++k)
    out[static_cast<std::size_t>(k)] = order[static_cast<std::size_t>((shard + k * num_shards) % n)];
  return out;
}
}  // namespace

DataLoader::DataLoader(Dataset dataset, LoaderOptions options)
    : dataset_(std::move(dataset)), options_(std::move(options)) {
  check_dataset(dataset_, "DataLoader");
  TG_CHECK(options_.batch_size > 0, "DataLoader: batch_size {}, expected > 0", options_.batch_size);
  TG_CHECK(options_.num_shards >= 1, "DataLoader: num_shards {}, expected >= 1", options_.num_shards);
  TG_CHECK(options_.shard >= 0 && options_.shard < options_.num_shards,
           "DataLoader: shard {}, expected a shard in [0, {})", options_.shard, options_.num_shards);
  TG_CHECK(options_.shard_tail == ShardTail::pad || dataset_.size() >= options_.num_shards,
           "DataLoader: {} samples cannot be cut into {} equal shards of at least one sample", dataset_.size(),
           options_.num_shards);
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
  const auto n = static_cast<std::int64_t>(order_.size());
  const std::int64_t b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

std::int64_t DataLoader::num_samples() const {
  return options_.drop_last ? num_batches() * options_.batch_size : static_cast<std::int64_t>(order_.size());
}

void DataLoader::set_epoch(std::int64_t epoch) {
  TG_CHECK(epoch >= 0, "DataLoader::set_epoch: epoch {}, expected >= 0", epoch);
  epoch_ = epoch;
  if (options_.shuffle) {
    order_ = random_permutation(dataset_.size(), shuffle_seed(options_.seed, epoch));
  } else {
    order_.resize(static_cast<std::size_t>(dataset_.size()));
    std::iota(order_.begin(), order_.end(), std::int64_t{0});
  }
  if (options_.num_shards > 1) order_ = shard_of(order_, options_.num_shards, options_.shard, options_.shard_tail);
}

Batch DataLoader::batch(std::int64_t i) const {
  TG_CHECK(i >= 0 && i < num_batches(), "DataLoader::batch: batch {} is out of range for {} batches", i,
           num_batches());
  const std::int64_t start = i * options_.batch_size;
  const std::int64_t count = std::min(options_.batch_size, static_cast<std::int64_t>(order_.size()) - start);
  const std::span<const std::int64_t> indices(order_.data() + start, static_cast<std::size_t>(count));
  Batch out = detail::gather_samples(dataset_, indices, "DataLoader::batch");
  if (options_.augmentation.enabled())
    out.images = options_.augmentation.apply_keyed(out.images, Generator(augmentation_seed(options_.seed, epoch_)), indices);
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
