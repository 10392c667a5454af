#pragma once
// The models of models.hpp, which the registry adds when it is first used (not by static
// registrations, whose order across files is unspecified).
#include <vector>

#include "tapegrad/nn/model_registry.hpp"

namespace tg::nn::detail {

std::vector<ModelInfo> builtin_models();

}  // namespace tg::nn::detail
