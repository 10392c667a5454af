#pragma once
// Names of parameters a person can read: a position alone ("1.weight") does not say that
// layer 1 is a BatchNorm2d and its "weight" the scale gamma.
#include <string>

#include <tapegrad/nn/module.hpp>

namespace tg::train {

// "<module path> <TypeName>.<parameter>" for a dotted name from model.named_parameters():
// "1.weight" of a Sequential whose child 1 is a BatchNorm2d is "1 BatchNorm2d.weight",
// "features.0.bias" is "features.0 Conv2d.bias", and a parameter of the model itself
// ("weight" of a bare Linear) is "Linear.weight". A name that does not lead through the
// model's children keeps the part it cannot follow.
std::string parameter_label(const nn::Module& model, const std::string& name);

}  // namespace tg::train
