#pragma once
// A batch loader over an in-memory Dataset (images or feature rows, labels or targets). Epoch e visits the samples in the order of
// a permutation derived from (seed, e) (or in file order without shuffle), so a run
// reproduces exactly, whatever the thread count. Batch i of an epoch is computed on
// demand: random access (batch(i)) and range-for iteration give the same batches.
//
// Sharded (num_shards > 1, one shard per rank of a data-parallel job): every shard
// starts from the same epoch order, padded at its end with its own first samples to a
// multiple of num_shards (ShardTail::pad; or cut to one, ShardTail::drop), and shard s
// visits positions s, s + num_shards, s + 2 num_shards, ... So the shards of an epoch
// are disjoint (but for the padding) and together cover it, and batch i of the S shards
// with batch size b holds exactly the samples of batch i of one loader with batch size
// S*b (for every full batch). Augmentation draws are keyed by (seed, epoch, dataset
// index of the sample), so they do not depend on the batch size or the number of shards.
#include <cstdint>
#include <iterator>
#include <optional>
#include <vector>

#include "tapegrad/nn/data/augment.hpp"
#include "tapegrad/nn/data/dataset.hpp"
#include "tapegrad/nn/data/normalization.hpp"

namespace tg::nn::data {

struct Batch {
  Tensor images;  // f32 [B, C, H, W] or [B, F]
  Tensor labels;  // i64 [B], or the dataset's targets [B, ...]
};

enum class ShardTail {
  pad,   // repeat the epoch's first samples so that every shard gets ceil(N / shards)
  drop,  // leave out the epoch's last N mod shards samples: every shard gets floor(N / shards)
};

struct LoaderOptions {
  std::int64_t batch_size = 64;
  bool shuffle = true;
  bool drop_last = false;  // drop the last batch when it is smaller than batch_size
  std::uint64_t seed = 0;
  Augmentation augmentation{};                 // applied first (off by default)
  std::optional<Normalization> normalization;  // applied after augmentation
  std::int64_t num_shards = 1;  // data-parallel ranks sharing each epoch
  std::int64_t shard = 0;       // this loader's shard, in [0, num_shards)
  ShardTail shard_tail = ShardTail::pad;
};

class DataLoader {
 public:
  explicit DataLoader(Dataset dataset, LoaderOptions options = {});

  std::int64_t num_batches() const;
  std::int64_t num_samples() const;  // samples this loader visits per epoch (its shard; fewer with drop_last)
  // Selects the epoch whose order batch() and iteration use (epoch 0 at construction).
  void set_epoch(std::int64_t epoch);
  std::int64_t epoch() const { return epoch_; }
  // The dataset indices this loader visits in the current epoch, in visiting order (all
  // N of them, or its shard's).
  const std::vector<std::int64_t>& order() const { return order_; }
  // Batch i of the current epoch; each sample's augmentation draws depend on (seed,
  // epoch, its dataset index) only.
  Batch batch(std::int64_t i) const;

  const Dataset& dataset() const { return dataset_; }
  const LoaderOptions& options() const { return options_; }

  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Batch;
    using difference_type = std::ptrdiff_t;
    using pointer = const Batch*;
    using reference = const Batch&;

    Iterator(const DataLoader* loader, std::int64_t index) : loader_(loader), index_(index) {}
    const Batch& operator*() const;
    const Batch* operator->() const { return &**this; }
    Iterator& operator++();
    bool operator==(const Iterator& other) const { return index_ == other.index_; }

   private:
    const DataLoader* loader_;
    std::int64_t index_;
    mutable std::optional<Batch> current_;  // computed on first dereference
  };
  Iterator begin() const { return {this, 0}; }
  Iterator end() const { return {this, num_batches()}; }

 private:
  Dataset dataset_;
  LoaderOptions options_;
  std::int64_t epoch_ = 0;
  std::vector<std::int64_t> order_;
};

}  // namespace tg::nn::data
