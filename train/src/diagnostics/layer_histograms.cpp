#include <tapegrad/train/diagnostics/layer_histograms.hpp>

#include <fmt/format.h>

#include <tapegrad/autograd.hpp>
#include <tapegrad/error.hpp>
#include <tapegrad/nn/containers.hpp>
#include <tapegrad/ops/losses.hpp>
#include <tapegrad/train/diagnostics/parameter_label.hpp>

#include "diagnostics/mode_restore.hpp"

namespace tg::train {

namespace {

bool is_histogrammed(const nn::Module& layer) {
  const std::string type = layer.type_name();
  return type == "Linear" || type == "Conv2d" || type == "ReLU";
}

}  // namespace

LayerHistograms capture_layer_histograms(nn::Module& model, const Tensor& images, const Tensor& labels,
                                         std::string label, int bins) {
  TG_CHECK(dynamic_cast<nn::Sequential*>(&model) != nullptr,
           "layer histograms: the model must be a Sequential to be run layer by layer, got {}", model.name());
  const detail::ModeRestore restore(model);
  model.eval();
  GradModeGuard grad_mode(true);

  LayerHistograms result{std::move(label)};
  Tensor x = images;
  for (const auto& [name, layer] : model.named_children()) {
    x = (*layer)(x);
    if (is_histogrammed(*layer))
      result.activations.push_back(report::make_histogram(fmt::format("{} {}", name, layer->type_name()),
                                                          x.to_vector<double>(), bins));
  }
  const auto named = model.named_parameters();
  std::vector<Tensor> params;
  for (const auto& entry : named) params.push_back(entry.second);
  const Tensor loss = cross_entropy(x, labels);
  const std::vector<Tensor> grads = grad(std::span<const Tensor>(&loss, 1), params, {}, {}, /*allow_unused=*/true);
  for (std::size_t i = 0; i < named.size(); ++i) {
    const Tensor g = grads[i].defined() ? grads[i] : zeros_like(params[i]);
    result.gradients.push_back(
        report::make_histogram(parameter_label(model, named[i].first), g.to_vector<double>(), bins));
  }
  return result;
}

}  // namespace tg::train
