// The sharded DataLoader, one shard per rank of a data-parallel job: the shards of an
// epoch are disjoint and cover it (padded or cut to equal length), batch i of S shards
// of batch b is batch i of one loader of batch S*b, and a sample's augmentation does not
// depend on the batch size or the shard it lands in.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <tapegrad/nn/data.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

namespace data = tg::nn::data;
using data::DataLoader;
using data::Dataset;
using data::LoaderOptions;
using data::ShardTail;

namespace {

// n images [n, 1, 8, 8] of random pixels; label = the sample's index.
Dataset indexed(std::int64_t n) {
  tg::Generator gen(7);
  std::vector<std::int64_t> labels(static_cast<std::size_t>(n));
  std::iota(labels.begin(), labels.end(), 0);
  return {tg::rand({n, 1, 8, 8}, tg::f32, &gen), tg::from_vector(labels, {n})};
}

LoaderOptions sharded(std::int64_t batch, std::int64_t shards, std::int64_t shard, ShardTail tail = ShardTail::pad) {
  LoaderOptions o;
  o.batch_size = batch;
  o.seed = 11;
  o.num_shards = shards;
  o.shard = shard;
  o.shard_tail = tail;
  return o;
}

std::vector<std::int64_t> labels_of(const data::Batch& b) { return b.labels.to_vector<std::int64_t>(); }

}  // namespace

TEST_CASE("sharded loader: the shards of an epoch are disjoint, cover it, and pad to equal length") {
  const Dataset d = indexed(23);
  for (std::int64_t shards : {1, 2, 3, 4, 23}) {
    for (std::int64_t epoch : {0, 3}) {
      std::multiset<std::int64_t> seen;
      std::vector<std::int64_t> lengths;
      for (std::int64_t s = 0; s < shards; ++s) {
        DataLoader loader(d, sharded(5, shards, s));
        loader.set_epoch(epoch);
        lengths.push_back(static_cast<std::int64_t>(loader.order().size()));
        seen.insert(loader.order().begin(), loader.order().end());
        CHECK(loader.num_samples() == (23 + shards - 1) / shards);
      }
      CAPTURE(shards);
      CHECK(std::all_of(lengths.begin(), lengths.end(), [&](std::int64_t n) { return n == lengths[0]; }));
      // Every sample at least once; the padding repeats exactly (shards - 23 mod shards) mod shards of them, once.
      const std::int64_t padding = (shards - 23 % shards) % shards;
      CHECK(static_cast<std::int64_t>(seen.size()) == 23 + padding);
      for (std::int64_t i = 0; i < 23; ++i) CHECK(seen.count(i) >= 1);
      std::int64_t repeated = 0;
      for (std::int64_t i = 0; i < 23; ++i) repeated += static_cast<std::int64_t>(seen.count(i)) - 1;
      CHECK(repeated == padding);
    }
  }
}

TEST_CASE("sharded loader: with ShardTail::drop the shards are disjoint and leave out the epoch's last samples") {
  const Dataset d = indexed(23);
  std::set<std::int64_t> seen;
  for (std::int64_t s = 0; s < 4; ++s) {
    DataLoader loader(d, sharded(5, 4, s, ShardTail::drop));
    loader.set_epoch(2);
    CHECK(loader.order().size() == 5);
    for (std::int64_t i : loader.order()) CHECK(seen.insert(i).second);  // no sample twice
  }
  CHECK(seen.size() == 20);
  DataLoader whole(d, sharded(23, 1, 0));
  whole.set_epoch(2);
  for (std::size_t k = 20; k < 23; ++k) CHECK(seen.count(whole.order()[k]) == 0);  // the last 3 are left out
}

TEST_CASE("sharded loader: batch i of S shards of batch b holds the samples of batch i of batch S*b") {
  const Dataset d = indexed(48);
  DataLoader whole(d, sharded(12, 1, 0));
  std::vector<DataLoader> shards;
  for (std::int64_t s = 0; s < 3; ++s) shards.emplace_back(d, sharded(4, 3, s));
  for (std::int64_t epoch : {0, 1}) {
    whole.set_epoch(epoch);
    for (auto& loader : shards) loader.set_epoch(epoch);
    REQUIRE(whole.num_batches() == 4);
    for (std::int64_t i = 0; i < 4; ++i) {
      std::vector<std::int64_t> expected = labels_of(whole.batch(i)), got;
      for (auto& loader : shards) {
        REQUIRE(loader.num_batches() == 4);
        const auto part = labels_of(loader.batch(i));
        got.insert(got.end(), part.begin(), part.end());
      }
      std::sort(expected.begin(), expected.end());
      std::sort(got.begin(), got.end());
      CHECK(got == expected);
    }
  }
}

TEST_CASE("sharded loader: a sample's augmentation does not depend on the batch size or its shard") {
  const Dataset d = indexed(30);
  // image of sample -> its pixels, as one loader of batch 30 augments it
  const auto augmented_by = [&](const LoaderOptions& base) {
    std::map<std::int64_t, std::vector<float>> out;
    LoaderOptions o = base;
    o.augmentation = data::Augmentation{0.5, 2, 0.3};
    DataLoader loader(d, o);
    loader.set_epoch(4);
    for (const data::Batch& b : loader) {
      const auto labels = labels_of(b);
      const auto pixels = b.images.to_vector<float>();
      for (std::size_t k = 0; k < labels.size(); ++k)
        out[labels[k]] = std::vector<float>(pixels.begin() + static_cast<std::ptrdiff_t>(64 * k),
                                            pixels.begin() + static_cast<std::ptrdiff_t>(64 * (k + 1)));
    }
    return out;
  };
  const auto reference = augmented_by(sharded(30, 1, 0));
  REQUIRE(reference.size() == 30);
  const auto small_batches = augmented_by(sharded(7, 1, 0));
  CHECK(small_batches == reference);
  std::size_t checked = 0;
  for (std::int64_t s = 0; s < 4; ++s) {
    for (const auto& [sample, pixels] : augmented_by(sharded(3, 4, s))) {
      CHECK(pixels == reference.at(sample));
      ++checked;
    }
  }
  CHECK(checked == 32);  // 30 samples padded to 4 shards of 8
  // The augmentation ran: the augmented images differ from the stored ones.
  std::size_t changed = 0;
  const auto stored = d.images.to_vector<float>();
  for (const auto& [sample, pixels] : reference)
    changed += !std::equal(pixels.begin(), pixels.end(), stored.begin() + 64 * sample);
  CHECK(changed > 20);
}

TEST_CASE("sharded loader: bad shard options are errors") {
  const Dataset d = indexed(3);
  CHECK_ERROR(DataLoader(d, sharded(2, 0, 0)), "DataLoader: num_shards 0, expected >= 1");
  CHECK_ERROR(DataLoader(d, sharded(2, 2, 2)), "DataLoader: shard 2, expected a shard in [0, 2)");
  CHECK_ERROR(DataLoader(d, sharded(2, 2, -1)), "DataLoader: shard -1, expected a shard in [0, 2)");
  CHECK_ERROR(DataLoader(d, sharded(2, 4, 0, ShardTail::drop)),
              "DataLoader: 3 samples cannot be cut into 4 equal shards of at least one sample");
  const data::Augmentation a{0.5, 0, 0};
  CHECK_ERROR(a.apply_keyed(tg::zeros({2, 1, 2, 2}), tg::Generator(1), std::vector<std::int64_t>{0}),
              "Augmentation::apply_keyed: 1 keys given for 2 images");
  CHECK_ERROR(a.apply_keyed(tg::zeros({1, 1, 2, 2}), tg::Generator(1), std::vector<std::int64_t>{-3}),
              "Augmentation::apply_keyed: key -3, expected >= 0");
}
