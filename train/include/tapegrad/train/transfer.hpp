#pragma once
// Transfer learning: start from another run's weights, freeze the early layers, give
// fine-tuned layers their own learning rate (per-parameter-group options). The Trainer
// applies these from TrainOptions::init_from, freeze and lr_for; they work on any model.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <tapegrad/nn/module.hpp>
#include <tapegrad/optim/optimizer.hpp>

namespace tg::train {

// The model tensors of a checkpoint or run state (its "model." keys, without the prefix).
std::map<std::string, Tensor> model_tensors_in(const std::string& checkpoint_path);

// The names of the model's tensors that state does not set (absent, or of another shape);
// an error naming checkpoint_path when it sets none of them. The model is not changed.
std::vector<std::string> tensors_not_set_by(const nn::Module& model, const std::map<std::string, Tensor>& state,
                                            const std::string& checkpoint_path);

// Copies every tensor of the checkpoint's model state (a model checkpoint or a run state)
// into the model's parameter or buffer of the same name and shape. Returns the names of
// the model's tensors it did not set. A checkpoint that sets none of them is an error.
std::vector<std::string> load_matching_tensors(nn::Module& model, const std::string& checkpoint_path);

// The parameter groups for an optimizer: parameters that require grad and match no freeze
// prefix, split by the first lr_for prefix they match (group options {"lr": value}), the
// rest in a first group of the optimizer's defaults. Frozen parameters are set to not
// require grad. A prefix that matches no parameter is an error listing the names.
// The checks parameter_groups makes, without changing the model.
void check_prefixes(const nn::Module& model, const std::vector<std::string>& freeze,
                    const std::vector<std::pair<std::string, double>>& lr_for);

std::vector<optim::ParamGroup> parameter_groups(nn::Module& model, const std::vector<std::string>& freeze,
                                                const std::vector<std::pair<std::string, double>>& lr_for);

}  // namespace tg::train
