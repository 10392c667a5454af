#pragma once
// The classifiers tapegrad registers itself (model_registry.hpp builds them by name),
// for images of input_shape [C, H, W] (default 1x28x28, Fashion-MNIST) and 10 classes.
// "mlp": flatten, (C*H*W)-256-128-classes with ReLU, optional dropout after each hidden
//        layer. Reads dropout.
// "cnn": [conv 3x3 pad 1 -> BatchNorm2d -> ReLU -> maxpool 2] with 32 then 64 channels,
//        flatten, linear (64 * H/4 * W/4)-128 + ReLU, dropout, linear 128-classes; with
//        width w the channels are 32w and 64w and the hidden layer 128w (w = 2: about
//        3.5x the work). Reads dropout and width; H and W must be at least 4.
// "mlp5x100": flatten, five hidden layers of 100 ReLU units, linear 100-classes (the
//        network of the optimizer comparison in docs/, He-initialized). Reads dropout.
#include "tapegrad/nn/model_registry.hpp"
