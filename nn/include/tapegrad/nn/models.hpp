#pragma once
// The classifiers `tapegrad train` builds by name, for 1x28x28 images and 10 classes
// (Fashion-MNIST). Parameters are initialized from the thread's default generator, so
// tg::manual_seed(s) before make_model makes the model reproducible.
#include <string>
#include <vector>

#include "tapegrad/nn/module.hpp"

namespace tg::nn {

struct ModelOptions {
  double dropout = 0.0;  // before each hidden linear layer's successor (0: none)
  std::int64_t classes = 10;
  std::int64_t width = 1;  // "cnn" only: the channel and hidden-unit multiplier (32w, 64w; 128w)
};

// "mlp": flatten, 784-256-128-10 with ReLU, optional dropout after each hidden layer.
// "cnn": [conv 3x3 pad 1 -> BatchNorm2d -> ReLU -> maxpool 2] with 32 then 64 channels,
//        flatten, linear 3136-128 + ReLU, dropout, linear 128-10; with width w the
//        channels are 32w and 64w and the hidden layer 128w (w = 2: about 3.5x the work).
// "mlp5x100": flatten, five hidden layers of 100 ReLU units, linear 100-10 (the seed's
//        network of the optimizer comparison, MISSION.md section 10).
// An unknown name is an error listing model_names().
ModulePtr make_model(const std::string& name, const ModelOptions& options = {});
// The checks make_model does before building anything: a tg::Error for an unknown name,
// dropout outside [0, 1), fewer than 2 classes, or a width outside [1, 16] (or not 1
// for a model other than "cnn").
void check_model_options(const std::string& name, const ModelOptions& options);
std::vector<std::string> model_names();

}  // namespace tg::nn
