#pragma once
// Activation and gradient distributions per layer, on a fixed
// batch: the outputs of every Linear, Conv2d and ReLU of a Sequential model, and the
// loss gradient of every parameter.
#include <string>
#include <vector>

#include <tapegrad/nn/module.hpp>

#include <tapegrad/train/report/report.hpp>

namespace tg::train {

struct LayerHistograms {
  std::string label;                             // when it was taken, e.g. "init", "epoch 3"
  std::vector<report::Histogram> activations{};  // one per Linear / Conv2d / ReLU, in order
  std::vector<report::Histogram> gradients{};    // one per parameter, in named_parameters order,
                                                 // named by parameter_label ("1 BatchNorm2d.weight")
};

// Each histogram is named by the child's name and type ("1 Linear").
// Runs model's children one by one on images in eval mode (no dropout draw, BatchNorm
// on its running statistics), so nothing in the model, its .grad() or the random stream
// changes; the gradients come from tg::grad of the mean cross-entropy. model must be an
// nn::Sequential (the named models are).
LayerHistograms capture_layer_histograms(nn::Module& model, const Tensor& images, const Tensor& labels,
                                         std::string label, int bins = 30);

}  // namespace tg::train
