#include <tapegrad/train/diagnostics/first_layer.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include <tapegrad/error.hpp>
#include <tapegrad/nn/conv.hpp>
#include <tapegrad/nn/linear.hpp>

namespace tg::train {

namespace {

// The layer and its path ("1", "features.0"; "" for the model itself).
std::pair<const nn::Module*, std::string> first_weight_layer(const nn::Module& module, const std::string& path) {
  if (dynamic_cast<const nn::Linear*>(&module) || dynamic_cast<const nn::Conv2d*>(&module)) return {&module, path};
  for (const auto& [name, child] : module.named_children()) {
    auto found = first_weight_layer(*child, path.empty() ? name : path + "." + name);
    if (found.first) return found;
  }
  return {nullptr, {}};
}

// "1 Linear(784, 256)": where the layer is and what it is.
std::string layer_name(const nn::Module& layer, const std::string& path) {
  return path.empty() ? layer.name() : path + " " + layer.name();
}

// Row i of a [rows, width * height] matrix of values, as rows images.
std::vector<report::Image> images_of_rows(const std::vector<double>& values, std::int64_t rows, std::int64_t width,
                                          std::int64_t height) {
  std::vector<report::Image> images;
  const auto size = static_cast<std::size_t>(width * height);
  for (std::int64_t r = 0; r < rows; ++r) {
    const auto begin = values.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(r) * size);
    images.push_back({width, height, std::vector<double>(begin, begin + static_cast<std::ptrdiff_t>(size))});
  }
  return images;
}

}  // namespace

report::ImageGrid first_layer_weights(const nn::Module& model, std::int64_t max_images) {
  TG_CHECK(max_images >= 1, "first-layer weights: max_images must be at least 1, got {}", max_images);
  const auto [layer, path] = first_weight_layer(model, "");
  TG_CHECK(layer != nullptr, "first-layer weights: {} has no Linear or Conv2d layer", model.name());
  if (const auto* linear = dynamic_cast<const nn::Linear*>(layer)) {
    const std::int64_t in = linear->in_features();
    const auto side = static_cast<std::int64_t>(std::lround(std::sqrt(static_cast<double>(in))));
    TG_CHECK(side * side == in, "first-layer weights: {} takes {} inputs, not a square image", linear->name(), in);
    const std::int64_t rows = std::min(max_images, linear->out_features());
    const Tensor first_rows = linear->weight().detach();
    std::vector<double> values = first_rows.to_vector<double>();
    values.resize(static_cast<std::size_t>(rows * in));
    return {fmt::format("first-layer weights: {} of the {} rows of {} as {}x{} images", rows,
                        linear->out_features(), layer_name(*linear, path), side, side),
            images_of_rows(values, rows, side, side), 8};
  }
  const auto& conv = dynamic_cast<const nn::Conv2d&>(*layer);
  const Tensor& w = conv.weight();  // [out, in, kh, kw]
  const std::int64_t filters = std::min(max_images, w.size(0) * w.size(1));
  std::vector<double> values = w.detach().to_vector<double>();
  values.resize(static_cast<std::size_t>(filters * w.size(2) * w.size(3)));
  return {fmt::format("first-layer weights: {} filters of {}, {}x{}", filters, layer_name(conv, path), w.size(2),
                      w.size(3)),
          images_of_rows(values, filters, w.size(3), w.size(2)), 8};
}

}  // namespace tg::train
