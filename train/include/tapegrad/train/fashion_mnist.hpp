#pragma once
// Fashion-MNIST (Xiao, Rasul, Vollgraf 2017) from the Debian package
// dataset-fashion-mnist: 60000 training and 10000 test images, 28x28 grey, 10 classes.
// The same file names serve MNIST, so a folder of MNIST files loads too.
#include <string>

#include <tapegrad/nn/data/dataset.hpp>

namespace tg::train {

enum class FashionMnistSplit { train, test };

inline constexpr const char* kFashionMnistDefaultDir = "/usr/share/datasets/fashion-mnist";
inline constexpr const char* kFashionMnistDirVariable = "TAPEGRAD_FASHION_MNIST_DIR";
inline constexpr std::int64_t kFashionMnistClasses = 10;

// $TAPEGRAD_FASHION_MNIST_DIR when set and non-empty, else kFashionMnistDefaultDir.
std::string fashion_mnist_dir();

// Images as f32 [N, 1, 28, 28] in [0, 1] and labels i64 [N] in [0, 10). Reads
// {train,t10k}-{images-idx3,labels-idx1}-ubyte, gzipped (.gz) or not. A missing file
// is an error that says how to install the data.
nn::data::Dataset load_fashion_mnist(const std::string& dir, FashionMnistSplit split);
inline nn::data::Dataset load_fashion_mnist(FashionMnistSplit split) { return load_fashion_mnist(fashion_mnist_dir(), split); }

}  // namespace tg::train
