#pragma once
// The first layer's weights as images: smooth, varied templates
// mean a healthy network; noise means too little training or too little regularization.
#include <cstdint>

#include <tapegrad/nn/module.hpp>

#include <tapegrad/train/report/report.hpp>

namespace tg::train {

// The first Linear or Conv2d met depth-first: a Linear's rows as side x side images
// (its in_features must be a square, 784 = 28 x 28 for the mlp), or a Conv2d's
// kh x kw filters, one image per (output, input) channel pair; at most max_images.
report::ImageGrid first_layer_weights(const nn::Module& model, std::int64_t max_images = 64);

}  // namespace tg::train
