// The batch loader: every sample exactly once per epoch, reproducible orders per
// (seed, epoch) that change across epochs, the last batch's size with and without
// drop_last, augmentation and normalization per batch, independent of thread count.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <tapegrad/nn/data.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

namespace data = tg::nn::data;
using data::Batch;
using data::DataLoader;
using data::Dataset;
using data::LoaderOptions;

// text may be a std::string (messages that hold temporary paths).
namespace {

// n images [n, 1, 2, 2] whose pixels all equal the sample index; labels = index.
Dataset numbered(std::int64_t n) {
  std::vector<float> pixels;
  std::vector<std::int64_t> labels(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) pixels.insert(pixels.end(), 4, static_cast<float>(i));
  std::iota(labels.begin(), labels.end(), 0);
  return {tg::from_vector(pixels, {n, 1, 2, 2}), tg::from_vector(labels, {n})};
}

LoaderOptions options(std::int64_t batch_size, bool shuffle, bool drop_last, std::uint64_t seed = 0) {
  LoaderOptions o;
  o.batch_size = batch_size;
  o.shuffle = shuffle;
  o.drop_last = drop_last;
  o.seed = seed;
  return o;
}

// The labels (sample indices) of every batch of the current epoch, in order.
std::vector<std::int64_t> visited(const DataLoader& loader) {
  std::vector<std::int64_t> out;
  for (const Batch& b : loader) {
    const std::vector<std::int64_t> y = b.labels.to_vector<std::int64_t>();
    out.insert(out.end(), y.begin(), y.end());
  }
  return out;
}

}  // namespace

TEST_CASE("data loader: each epoch visits every sample exactly once, images with their labels") {
  DataLoader loader(numbered(103), options(10, true, false, 7));
  CHECK(loader.num_batches() == 11);
  for (std::int64_t epoch = 0; epoch < 3; ++epoch) {
    loader.set_epoch(epoch);
    std::vector<std::int64_t> seen = visited(loader);
    CHECK(seen == loader.order());
    std::sort(seen.begin(), seen.end());
    std::vector<std::int64_t> all(103);
    std::iota(all.begin(), all.end(), 0);
    CHECK(seen == all);
  }
  const Batch b = loader.batch(4);
  const std::vector<float> px = b.images.to_vector<float>();
  const std::vector<std::int64_t> y = b.labels.to_vector<std::int64_t>();
  for (std::size_t i = 0; i < y.size(); ++i) CHECK(px[4 * i + 3] == static_cast<float>(y[i]));
}

TEST_CASE("data loader: the order is a function of (seed, epoch): equal for equal, different across epochs") {
  DataLoader a(numbered(50), options(8, true, false, 11));
  DataLoader b(numbered(50), options(8, true, false, 11));
  DataLoader other_seed(numbered(50), options(8, true, false, 12));
  CHECK(visited(a) == visited(b));
  CHECK(visited(a) != visited(other_seed));
  const std::vector<std::int64_t> epoch0 = visited(a);
  a.set_epoch(1);
  CHECK(visited(a) != epoch0);
  b.set_epoch(5);
  b.set_epoch(1);  // an epoch's order does not depend on the epochs before it
  CHECK(visited(b) == visited(a));
  a.set_epoch(0);
  CHECK(visited(a) == epoch0);
  // Without shuffle the order is the file order in every epoch.
  DataLoader plain(numbered(5), options(2, false, false));
  plain.set_epoch(3);
  CHECK(visited(plain) == std::vector<std::int64_t>{0, 1, 2, 3, 4});
}

TEST_CASE("data loader: the last partial batch is kept, or dropped with drop_last") {
  DataLoader keep(numbered(10), options(4, true, false));
  CHECK(keep.num_batches() == 3);
  CHECK(keep.num_samples() == 10);
  CHECK(keep.batch(2).labels.numel() == 2);
  CHECK(keep.batch(2).images.shape() == tg::Shape{2, 1, 2, 2});
  DataLoader drop(numbered(10), options(4, true, true));
  CHECK(drop.num_batches() == 2);
  CHECK(drop.num_samples() == 8);
  std::vector<std::int64_t> sizes;
  for (const Batch& b : drop) sizes.push_back(b.labels.numel());
  CHECK(sizes == std::vector<std::int64_t>{4, 4});
  // An exact multiple has no partial batch either way; fewer samples than a batch gives
  // one small batch, or none with drop_last.
  CHECK(DataLoader(numbered(8), options(4, true, false)).num_batches() == 2);
  CHECK(DataLoader(numbered(3), options(4, true, false)).num_batches() == 1);
  CHECK(DataLoader(numbered(3), options(4, true, true)).num_batches() == 0);
}

TEST_CASE("data loader: augmentation is seeded by (seed, epoch, sample) and independent of threads") {
  tg::Generator gen(1);
  const Dataset d{tg::rand({600, 1, 28, 28}, tg::f32, &gen), tg::zeros({600}, tg::i64)};
  LoaderOptions o = options(512, true, false, 3);
  o.augmentation.flip_probability = 0.5;
  o.augmentation.crop_padding = 4;
  o.augmentation.jitter = 0.2;
  DataLoader loader(d, o);
  const std::vector<float> first = loader.batch(0).images.to_vector<float>();
  CHECK(loader.batch(0).images.to_vector<float>() == first);
  // The same samples without augmentation differ: the augmentation really ran.
  DataLoader bare(d, options(512, true, false, 3));
  CHECK(bare.batch(0).images.to_vector<float>() != first);
  const int threads = tg::get_num_threads();
  tg::set_num_threads(1);
  const std::vector<float> one_thread = DataLoader(d, o).batch(0).images.to_vector<float>();
  tg::set_num_threads(threads);
  CHECK(one_thread == first);
  loader.set_epoch(1);
  CHECK(loader.batch(0).images.to_vector<float>() != first);
}

TEST_CASE("data loader: normalization is applied to each batch") {
  LoaderOptions o = options(4, false, false);
  o.normalization = data::Normalization{{2.0}, {4.0}};
  DataLoader loader(numbered(6), o);
  const std::vector<float> px = loader.batch(1).images.to_vector<float>();  // samples 4 and 5
  CHECK(px[0] == 0.5f);  // (4 - 2) / 4
  CHECK(px[7] == 0.75f);
  CHECK(loader.dataset().images.to_vector<float>()[16] == 4.0f);  // the dataset is untouched
}

TEST_CASE("data loader: bad options and batch indices are errors") {
  CHECK_ERROR(DataLoader(numbered(4), options(0, true, false)), "DataLoader: batch_size 0, expected > 0");
  LoaderOptions o = options(2, true, false);
  o.augmentation.crop_padding = -1;
  CHECK_ERROR(DataLoader(numbered(4), o), "Augmentation: crop_padding -1, expected >= 0");
  o = options(2, true, false);
  o.normalization = data::Normalization{{0.0, 0.0}, {1.0, 1.0}};
  CHECK_ERROR(DataLoader(numbered(4), o), "DataLoader: the normalization has 2 channels, the images 1 ([4, 1, 2, 2])");
  DataLoader loader(numbered(4), options(2, true, false));
  CHECK_ERROR(loader.batch(2), "DataLoader::batch: batch 2 is out of range for 2 batches");
  CHECK_ERROR(loader.set_epoch(-1), "DataLoader::set_epoch: epoch -1, expected >= 0");
}

TEST_CASE("data loader: time to gather a batch of 64 Fashion-MNIST-sized images") {
  // Reported, not asserted: the training loop reads ~940 such batches per epoch.
  tg::Generator gen(2);
  const Dataset d{tg::rand({6000, 1, 28, 28}, tg::f32, &gen), tg::zeros({6000}, tg::i64)};
  for (bool augment : {false, true}) {
    LoaderOptions o = options(64, true, false, 1);
    if (augment) o.augmentation = data::Augmentation{0.5, 4, 0.1};
    DataLoader loader(d, o);
    const auto start = std::chrono::steady_clock::now();
    std::int64_t batches = 0;
    for (const Batch& b : loader) batches += b.labels.numel() > 0;
    const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    CHECK(batches == loader.num_batches());
    MESSAGE("batch of 64 " << std::string(augment ? "with" : "without") << " augmentation: " << us / batches << " us");
  }
}
