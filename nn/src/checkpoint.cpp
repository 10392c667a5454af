// Checkpoints: two state dicts in one safetensors file, told apart by a key prefix.
#include "tapegrad/nn/checkpoint.hpp"

#include <string_view>

namespace tg::nn {

namespace {

constexpr std::string_view kModelPrefix = "model.";
constexpr std::string_view kOptimizerPrefix = "optimizer.";

}  // namespace

void save_checkpoint(const std::string& path, const std::map<std::string, Tensor>& model_state,
                     const std::map<std::string, Tensor>& optimizer_state,
                     const std::map<std::string, std::string>& metadata) {
  std::map<std::string, Tensor> tensors;
  for (const auto& [name, tensor] : model_state) tensors.emplace(std::string(kModelPrefix) + name, tensor);
  for (const auto& [name, tensor] : optimizer_state) tensors.emplace(std::string(kOptimizerPrefix) + name, tensor);
  save_safetensors(path, tensors, metadata);
}

Checkpoint load_checkpoint(const std::string& path) {
  Checkpoint checkpoint;
  for (auto& [key, tensor] : load_safetensors(path, &checkpoint.metadata)) {
    const std::string_view name(key);
    if (name.starts_with(kModelPrefix))
      checkpoint.model_state.emplace(key.substr(kModelPrefix.size()), std::move(tensor));
    else if (name.starts_with(kOptimizerPrefix))
      checkpoint.optimizer_state.emplace(key.substr(kOptimizerPrefix.size()), std::move(tensor));
    else
      fail("load_checkpoint: '{}': tensor '{}' starts with neither \"model.\" nor \"optimizer.\" "
           "(a plain safetensors file? read it with load_safetensors)",
           path, key);
  }
  return checkpoint;
}

}  // namespace tg::nn
