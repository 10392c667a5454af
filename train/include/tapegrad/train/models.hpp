#pragma once
// The classifiers tapegrad ships, for images of input_shape [C, H, W] (default 1x28x28,
// Fashion-MNIST) and 10 classes. libtapegrad_train registers them in the model registry
// (tapegrad/nn/model_registry.hpp) when it is loaded, so nn::make_model("cnn") finds them
// in any program that uses tapegrad::train; a program linked against tapegrad::tapegrad
// alone has only the models it registers itself.
// "mlp": flatten, (C*H*W)-256-128-classes with ReLU, optional dropout after each hidden
//        layer. Reads dropout.
// "cnn": [conv 3x3 pad 1 -> BatchNorm2d -> ReLU -> maxpool 2] with 32 then 64 channels,
//        flatten, linear (64 * H/4 * W/4)-128 + ReLU, dropout, linear 128-classes; with
//        width w the channels are 32w and 64w and the hidden layer 128w (w = 2: about
//        3.5x the work). Reads dropout and width; H and W must be at least 4.
// "mlp5x100": flatten, five hidden layers of 100 ReLU units, linear 100-classes (the
//        network of the optimizer comparison in docs/, He-initialized). Reads dropout.
#include <vector>

#include <tapegrad/nn/model_registry.hpp>

namespace tg::train {

// The origin the registry names in a message about a built-in model.
inline constexpr const char* kBuiltinModelsOrigin = "tapegrad's built-in models";

// The built-in models' entries, as registered ("mlp", "cnn", "mlp5x100").
std::vector<nn::ModelInfo> builtin_models();

}  // namespace tg::train
