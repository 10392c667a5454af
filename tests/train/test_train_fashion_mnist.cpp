// The Fashion-MNIST loader of the train layer: the standard file names, gzipped or not,
// the error naming the Debian package when they are missing, the folder override, and
// (when installed) the real test set.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <tapegrad/nn/data/idx.hpp>
#include <tapegrad/tapegrad.hpp>
#include <tapegrad/train/fashion_mnist.hpp>

#include "check_error.hpp"
#include "data_test_files.hpp"

namespace data = tg::nn::data;
namespace train = tg::train;
using data::Dataset;
using data::IdxArray;

namespace {

void write_fashion_like(const TempDir& dir, const std::string& prefix, const std::vector<std::uint8_t>& labels,
                        data::IdxCompression compression) {
  const auto n = static_cast<std::int64_t>(labels.size());
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(n * 28 * 28));
  for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] = static_cast<std::uint8_t>(i % 256);
  const std::string gz = compression == data::IdxCompression::gzip ? ".gz" : "";
  data::write_idx(dir.file(prefix + "-images-idx3-ubyte" + gz), IdxArray::from_u8({n, 28, 28}, pixels), compression);
  data::write_idx(dir.file(prefix + "-labels-idx1-ubyte" + gz), IdxArray::from_u8({n}, labels), compression);
}

}  // namespace

TEST_CASE("train fashion_mnist: load_fashion_mnist reads the standard file names, gzipped or not") {
  TempDir dir;
  write_fashion_like(dir, "train", {3, 1, 4, 1, 5}, data::IdxCompression::gzip);
  write_fashion_like(dir, "t10k", {9, 2}, data::IdxCompression::none);
  const Dataset train = train::load_fashion_mnist(dir.path().string(), train::FashionMnistSplit::train);
  const Dataset test = train::load_fashion_mnist(dir.path().string(), train::FashionMnistSplit::test);
  CHECK(train.images.shape() == tg::Shape{5, 1, 28, 28});
  CHECK(train.labels.to_vector<std::int64_t>() == std::vector<std::int64_t>{3, 1, 4, 1, 5});
  CHECK(test.labels.to_vector<std::int64_t>() == std::vector<std::int64_t>{9, 2});
  CHECK(test.images.to_vector<float>()[255] == 1.0f);
}

TEST_CASE("train fashion_mnist: missing Fashion-MNIST files name the file and the Debian package") {
  TempDir dir;
  CHECK_ERROR(train::load_fashion_mnist(dir.path().string(), train::FashionMnistSplit::test),
              "load_fashion_mnist: no t10k-images-idx3-ubyte.gz (or t10k-images-idx3-ubyte) in " + dir.path().string() +
                  "; install the Debian package with `apt-get install dataset-fashion-mnist`, or set "
                  "TAPEGRAD_FASHION_MNIST_DIR");
}

TEST_CASE("train fashion_mnist: TAPEGRAD_FASHION_MNIST_DIR overrides the default folder") {
  const char* saved = std::getenv("TAPEGRAD_FASHION_MNIST_DIR");
  const std::string before = saved ? saved : "";
  ::unsetenv("TAPEGRAD_FASHION_MNIST_DIR");
  CHECK(train::fashion_mnist_dir() == "/usr/share/datasets/fashion-mnist");
  ::setenv("TAPEGRAD_FASHION_MNIST_DIR", "/tmp/elsewhere", 1);
  CHECK(train::fashion_mnist_dir() == "/tmp/elsewhere");
  if (saved) ::setenv("TAPEGRAD_FASHION_MNIST_DIR", before.c_str(), 1); else ::unsetenv("TAPEGRAD_FASHION_MNIST_DIR");
}

TEST_CASE("train fashion_mnist: the real Fashion-MNIST test set has 10000 images, 1000 per class, pixels in [0, 1]") {
  const std::string dir = train::fashion_mnist_dir();
  if (!std::filesystem::exists(std::filesystem::path(dir) / "t10k-images-idx3-ubyte.gz") &&
      !std::filesystem::exists(std::filesystem::path(dir) / "t10k-images-idx3-ubyte")) {
    MESSAGE("skipped: no Fashion-MNIST in " << dir << " (apt-get install dataset-fashion-mnist)");
    return;
  }
  const Dataset test = train::load_fashion_mnist(dir, train::FashionMnistSplit::test);
  CHECK(test.images.shape() == tg::Shape{10000, 1, 28, 28});
  std::map<std::int64_t, int> histogram;
  for (std::int64_t y : test.labels.to_vector<std::int64_t>()) ++histogram[y];
  CHECK(histogram.size() == 10);
  for (const auto& [label, count] : histogram) {
    CAPTURE(label);
    CHECK(count == 1000);
  }
  const float* x = test.images.data<float>();
  const auto [lo, hi] = std::minmax_element(x, x + test.images.numel());
  CHECK(*lo == 0.0f);
  CHECK(*hi == 1.0f);
}
