#pragma once
// Training checkpoints: a model's and an optimizer's state dicts in one safetensors
// file, under the keys "model.<name>" and "optimizer.<name>", plus string metadata
// (e.g. epoch, validation accuracy). The file opens in Python's safetensors as is.
#include <map>
#include <string>

#include "tapegrad/nn/safetensors.hpp"
#include "tapegrad/tensor.hpp"

namespace tg::nn {

struct Checkpoint {
  std::map<std::string, Tensor> model_state;
  std::map<std::string, Tensor> optimizer_state;  // what optim::Optimizer::state_dict() gives
  std::map<std::string, std::string> metadata;
};

// Written atomically (see save_safetensors): path holds the old or the complete new checkpoint.
void save_checkpoint(const std::string& path, const std::map<std::string, Tensor>& model_state,
                     const std::map<std::string, Tensor>& optimizer_state = {},
                     const std::map<std::string, std::string>& metadata = {});

// Throws tg::Error on a corrupt file or on a tensor key without either prefix.
Checkpoint load_checkpoint(const std::string& path);

}  // namespace tg::nn
