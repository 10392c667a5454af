#include <tapegrad/train/fashion_mnist.hpp>

#include <cstdlib>
#include <filesystem>

#include <tapegrad/error.hpp>

namespace tg::train {

std::string fashion_mnist_dir() {
  const char* dir = std::getenv(kFashionMnistDirVariable);
  return dir != nullptr && *dir != '\0' ? dir : kFashionMnistDefaultDir;
}

namespace {
// The file `stem` in dir, gzipped or not; an error naming the package when neither exists.
std::string find_file(const std::string& dir, const std::string& stem) {
  namespace fs = std::filesystem;
  for (const std::string& name : {stem + ".gz", stem}) {
    const fs::path path = fs::path(dir) / name;
    std::error_code ignored;
    if (fs::is_regular_file(path, ignored)) return path.string();
  }
  fail("load_fashion_mnist: no {}.gz (or {}) in {}; install the Debian package with "
       "`apt-get install dataset-fashion-mnist`, or set {} to a folder holding the files",
       stem, stem, dir, kFashionMnistDirVariable);
}
}  // namespace

nn::data::Dataset load_fashion_mnist(const std::string& dir, FashionMnistSplit split) {
  const std::string prefix = split == FashionMnistSplit::train ? "train" : "t10k";
  const std::string images = find_file(dir, prefix + "-images-idx3-ubyte");
  const std::string labels = find_file(dir, prefix + "-labels-idx1-ubyte");
  nn::data::Dataset d = nn::data::load_idx_dataset(images, labels, kFashionMnistClasses);
  TG_CHECK(d.images.size(1) == 1 && d.images.size(2) == 28 && d.images.size(3) == 28,
           "load_fashion_mnist: {} holds images of shape {}, expected [N, 1, 28, 28]", images,
           d.images.shape().str());
  return d;
}

}  // namespace tg::train
