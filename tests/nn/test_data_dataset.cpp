// Datasets: subsets, loading labelled images from IDX files (scaling, validation), the
// seeded train/validation split, random permutations, and per-channel normalization.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <numeric>
#include <set>
#include <tapegrad/nn/data/idx.hpp>
#include <tapegrad/nn/data/loader.hpp>
#include <tapegrad/nn/data/normalization.hpp>
#include <tapegrad/nn/data/permutation.hpp>
#include <tapegrad/nn/data/split.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"
#include "data_test_files.hpp"

namespace data = tg::nn::data;
using data::Dataset;
using data::IdxArray;
using tg::Tensor;

// text may be a std::string (messages that hold temporary paths).
namespace {

// n images [n, 1, 2, 2] whose four pixels all equal the sample index, labels = index % 10.
Dataset numbered(std::int64_t n) {
  std::vector<float> pixels;
  std::vector<std::int64_t> labels;
  for (std::int64_t i = 0; i < n; ++i) {
    pixels.insert(pixels.end(), 4, static_cast<float>(i));
    labels.push_back(i % 10);
  }
  return {tg::from_vector(pixels, {n, 1, 2, 2}), tg::from_vector(labels, {n})};
}

// The sample index each image of a numbered() dataset came from.
std::vector<std::int64_t> sample_ids(const Dataset& d) {
  std::vector<std::int64_t> ids;
  const std::vector<float> px = d.images.to_vector<float>();
  for (std::size_t i = 0; i < px.size(); i += 4) ids.push_back(static_cast<std::int64_t>(px[i]));
  return ids;
}

}  // namespace

TEST_CASE("data dataset: subset gathers the given samples in order, repeats allowed") {
  const Dataset d = numbered(6);
  const Dataset s = d.subset({4, 0, 4, 5});
  CHECK(s.size() == 4);
  CHECK(s.images.shape() == tg::Shape{4, 1, 2, 2});
  CHECK(sample_ids(s) == std::vector<std::int64_t>{4, 0, 4, 5});
  CHECK(s.labels.to_vector<std::int64_t>() == std::vector<std::int64_t>{4, 0, 4, 5});
  CHECK(d.subset({}).size() == 0);
  CHECK_ERROR(d.subset({1, 6}), "Dataset::subset: index 6 (position 1) is out of range for a dataset of 6 samples");
  CHECK_ERROR(d.subset({-1}), "Dataset::subset: index -1 (position 0) is out of range");
  CHECK_ERROR((Dataset{tg::zeros({3}), tg::zeros({3}, tg::i64)}.subset({0})),
              "Dataset::subset: images are f32 [3], expected a contiguous f32 tensor [N, C, H, W] or [N, F]");
  CHECK_ERROR((Dataset{tg::zeros({3, 1, 2, 2}), tg::zeros({2}, tg::i64)}.subset({0})),
              "Dataset::subset: 3 images but 2 labels");
}

TEST_CASE("data dataset: load_idx_dataset scales u8 pixels by 1/255 into [N, 1, H, W]") {
  TempDir dir;
  data::write_idx(dir.file("x"), IdxArray::from_u8({2, 1, 3}, std::vector<std::uint8_t>{0, 51, 255, 255, 102, 0}));
  data::write_idx(dir.file("y"), IdxArray::from_u8({2}, std::vector<std::uint8_t>{9, 0}));
  const Dataset d = data::load_idx_dataset(dir.file("x"), dir.file("y"), 10);
  CHECK(d.images.shape() == tg::Shape{2, 1, 1, 3});
  CHECK(d.images.to_vector<float>() == std::vector<float>{0.0f, 0.2f, 1.0f, 1.0f, 0.4f, 0.0f});
  CHECK(d.labels.dtype() == tg::i64);
  CHECK(d.labels.to_vector<std::int64_t>() == std::vector<std::int64_t>{9, 0});
  // Four dims are taken as [N, C, H, W].
  data::write_idx(dir.file("x4"), IdxArray::from_u8({2, 3, 1, 1}, std::vector<std::uint8_t>(6, 255)));
  CHECK(data::load_idx_dataset(dir.file("x4"), dir.file("y"), 10).images.shape() == tg::Shape{2, 3, 1, 1});
}

TEST_CASE("data dataset: load_idx_dataset rejects mismatched counts, bad labels and non-pixel images") {
  TempDir dir;
  data::write_idx(dir.file("x"), IdxArray::from_u8({3, 2, 2}, std::vector<std::uint8_t>(12, 1)));
  data::write_idx(dir.file("y2"), IdxArray::from_u8({2}, std::vector<std::uint8_t>{1, 2}));
  CHECK_ERROR(data::load_idx_dataset(dir.file("x"), dir.file("y2"), 10),
              "load_idx_dataset: " + dir.file("x") + " holds 3 images but " + dir.file("y2") + " holds 2 labels");
  data::write_idx(dir.file("y10"), IdxArray::from_u8({3}, std::vector<std::uint8_t>{1, 10, 2}));
  CHECK_ERROR(data::load_idx_dataset(dir.file("x"), dir.file("y10"), 10),
              "load_idx_dataset: " + dir.file("y10") + ": label 10 at index 1 is outside [0, 10)");
  data::write_idx(dir.file("yneg"), IdxArray::from_i32({3}, std::vector<std::int32_t>{1, 2, -1}));
  CHECK_ERROR(data::load_idx_dataset(dir.file("x"), dir.file("yneg"), 10), ": label -1 at index 2 is outside [0, 10)");
  data::write_idx(dir.file("yf"), IdxArray::from_f32({3}, std::vector<float>{1, 2, 3}));
  CHECK_ERROR(data::load_idx_dataset(dir.file("x"), dir.file("yf"), 10), ": labels are f32 values, expected an integer type");
  data::write_idx(dir.file("y2d"), IdxArray::from_u8({3, 1}, std::vector<std::uint8_t>{1, 2, 3}));
  CHECK_ERROR(data::load_idx_dataset(dir.file("x"), dir.file("y2d"), 10), ": labels have 2 dims, expected 1 (N)");
  data::write_idx(dir.file("xf"), IdxArray::from_f32({3, 1, 1}, std::vector<float>{1, 2, 3}));
  CHECK_ERROR(data::load_idx_dataset(dir.file("xf"), dir.file("y10"), 10),
              ": images are f32 values, expected u8 pixels (type 0x08)");
  data::write_idx(dir.file("x2d"), IdxArray::from_u8({3, 4}, std::vector<std::uint8_t>(12, 1)));
  CHECK_ERROR(data::load_idx_dataset(dir.file("x2d"), dir.file("y10"), 10),
              ": images have 2 dims, expected 3 (N, H, W) or 4 (N, C, H, W)");
}

TEST_CASE("data dataset: random_permutation is a seeded permutation with uniform orders") {
  const std::vector<std::int64_t> p = data::random_permutation(1000, 5);
  std::vector<std::int64_t> sorted = p;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::int64_t> identity(1000);
  std::iota(identity.begin(), identity.end(), 0);
  CHECK(sorted == identity);
  CHECK(p != identity);
  CHECK(data::random_permutation(1000, 5) == p);
  CHECK(data::random_permutation(1000, 6) != p);
  CHECK(data::random_permutation(0, 1).empty());
  CHECK(data::random_permutation(1, 1) == std::vector<std::int64_t>{0});
  CHECK_ERROR(data::random_permutation(-1, 0), "random_permutation: n = -1, expected n >= 0");
  // All 24 orders of 4 items over 24000 seeds: each expected 1000 times (sd about 31);
  // a bias in the index draw would push some order out of 1000 +- 160 (5 sd).
  std::map<std::vector<std::int64_t>, int> counts;
  for (std::uint64_t seed = 0; seed < 24000; ++seed) ++counts[data::random_permutation(4, seed)];
  CHECK(counts.size() == 24);
  for (const auto& [order, count] : counts) {
    CHECK(count > 840);
    CHECK(count < 1160);
  }
}

TEST_CASE("data dataset: train_validation_split gives disjoint parts of the stated sizes, seeded") {
  const Dataset d = numbered(100);
  const data::TrainValidationSplit split = data::train_validation_split(d, 30, 42);
  CHECK(split.train.size() == 70);
  CHECK(split.validation.size() == 30);
  const std::vector<std::int64_t> train = sample_ids(split.train), validation = sample_ids(split.validation);
  std::set<std::int64_t> all(train.begin(), train.end());
  for (std::int64_t v : validation) CHECK(all.insert(v).second);  // disjoint
  CHECK(all.size() == 100);                                      // and covering
  CHECK(std::is_sorted(train.begin(), train.end()));             // original order kept
  // Labels stay with their images.
  const std::vector<std::int64_t> labels = split.validation.labels.to_vector<std::int64_t>();
  for (std::size_t i = 0; i < validation.size(); ++i) CHECK(labels[i] == validation[i] % 10);
  CHECK(sample_ids(data::train_validation_split(d, 30, 42).validation) == validation);
  CHECK(sample_ids(data::train_validation_split(d, 30, 43).validation) != validation);
  // The validation set is not simply the first or last samples.
  CHECK(validation.front() < 70);
  CHECK(validation.back() >= 30);
  CHECK(data::train_validation_split(d, 0, 1).train.size() == 100);
  CHECK(data::train_validation_split(d, 100, 1).validation.size() == 100);
  CHECK_ERROR(data::train_validation_split(d, 101, 1),
              "train_validation_split: validation_size 101 for a dataset of 100 samples, expected 0 to 100");
}

TEST_CASE("data dataset: normalization uses per-channel mean and population std") {
  // Channel 0 holds 0, 1, 2, 3 (mean 1.5, std sqrt(1.25)); channel 1 holds 10, 10, 10, 14
  // (mean 11, std sqrt(3)). Two images of 2 channels of 1 x 2 pixels.
  const Dataset d{tg::from_vector(std::vector<float>{0, 1, 10, 10, 2, 3, 10, 14}, {2, 2, 1, 2}),
                  tg::from_vector(std::vector<std::int64_t>{0, 1}, {2})};
  const data::Normalization norm = data::compute_normalization(d);
  REQUIRE(norm.mean.size() == 2);
  CHECK(norm.mean[0] == doctest::Approx(1.5).epsilon(1e-12));
  CHECK(norm.std[0] == doctest::Approx(std::sqrt(1.25)).epsilon(1e-12));
  CHECK(norm.mean[1] == doctest::Approx(11.0).epsilon(1e-12));
  CHECK(norm.std[1] == doctest::Approx(std::sqrt(3.0)).epsilon(1e-12));
  const std::vector<float> out = norm.apply(d.images).to_vector<float>();
  CHECK(out[0] == doctest::Approx(-1.5 / std::sqrt(1.25)).epsilon(1e-6));
  CHECK(out[7] == doctest::Approx(3.0 / std::sqrt(3.0)).epsilon(1e-6));
  CHECK(d.images.to_vector<float>()[0] == 0.0f);  // apply leaves its input alone

  // On random data the result is zero-centred with unit variance per channel.
  tg::Generator gen(3);
  const Dataset r{tg::rand({50, 3, 4, 4}, tg::f32, &gen) * 5.0f + 2.0f, tg::zeros({50}, tg::i64)};
  const Dataset z{data::compute_normalization(r).apply(r.images), r.labels};
  const data::Normalization again = data::compute_normalization(z);
  for (int c = 0; c < 3; ++c) {
    CHECK(std::abs(again.mean[c]) < 1e-6);
    CHECK(again.std[c] == doctest::Approx(1.0).epsilon(1e-6));
  }
}

TEST_CASE("data dataset: feature rows with regression targets subset, load in batches and normalize per feature") {
  // 4 samples of 2 features; targets [4, 1] in f64.
  const Dataset rows{tg::from_vector(std::vector<float>{1, 10, 2, 20, 3, 30, 4, 40}, {4, 2}),
                     tg::from_vector(std::vector<double>{0.5, 1.5, 2.5, 3.5}, {4, 1})};
  const Dataset picked = rows.subset({3, 1});
  CHECK(picked.images.to_vector<float>() == std::vector<float>{4, 40, 2, 20});
  CHECK(picked.labels.dtype() == tg::f64);
  CHECK(picked.labels.to_vector<double>() == std::vector<double>{3.5, 1.5});
  const data::Normalization norm = data::compute_normalization(rows);
  CHECK(norm.mean == std::vector<double>{2.5, 25.0});
  CHECK(norm.std[1] == doctest::Approx(std::sqrt(125.0)));
  data::DataLoader loader(rows, {.batch_size = 3, .shuffle = false, .normalization = norm});
  const data::Batch first = loader.batch(0);
  CHECK(first.images.shape() == tg::Shape{3, 2});
  CHECK(first.labels.shape() == tg::Shape{3, 1});
  CHECK(first.images.to_vector<float>()[0] == doctest::Approx((1.0 - 2.5) / std::sqrt(1.25)));
  CHECK_ERROR(data::DataLoader(rows, {.augmentation = {.flip_probability = 0.5}, .normalization = std::nullopt}),
              "DataLoader: augmentation (flip, crop, jitter) needs images [N, C, H, W], got [4, 2]");
  CHECK_ERROR((Dataset{tg::zeros({2, 2}), tg::zeros({2, 1}, tg::i64)}.subset({0})),
              "labels are i64 [2, 1], expected a contiguous i64 tensor [N] (classes) or a floating tensor [N, ...]");
}

TEST_CASE("data dataset: normalization errors") {
  const Dataset flat{tg::full({3, 1, 2, 2}, 0.5), tg::zeros({3}, tg::i64)};
  CHECK_ERROR(data::compute_normalization(flat), "compute_normalization: channel 0 has zero variance (every value is 0.5)");
  const data::Normalization one{{0.0}, {1.0}};
  CHECK_ERROR(one.apply(tg::zeros({2, 3, 2, 2})),
              "Normalization::apply: images have 3 channels ([2, 3, 2, 2]), the normalization has 1 means and 1 stds");
  CHECK_ERROR(one.apply(tg::zeros({4})), "Normalization::apply: images are f32 [4], expected an f32 tensor [N, C, H, W] or [N, F]");
  CHECK_ERROR((data::Normalization{{0.0}, {0.0}}.apply(tg::zeros({1, 1, 1, 1}))), "Normalization::apply: std[0] is 0, expected > 0");
}
