#include <tapegrad/train/transfer.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <cmath>
#include <map>
#include <string_view>

#include <tapegrad/autograd.hpp>
#include <tapegrad/error.hpp>
#include <tapegrad/nn/safetensors.hpp>

namespace tg::train {

namespace {

constexpr std::string_view kModelPrefix = "model.";

bool starts_with(const std::string& name, const std::string& prefix) { return name.rfind(prefix, 0) == 0; }

// The model's parameters and buffers by name: handles, not the copies state_dict makes.
std::vector<nn::NamedTensor> named_tensors(const nn::Module& model) {
  std::vector<nn::NamedTensor> all = model.named_parameters();
  for (auto& entry : model.named_buffers()) all.push_back(std::move(entry));
  return all;
}

std::vector<std::string> parameter_names(const nn::Module& model) {
  std::vector<std::string> names;
  for (const auto& [name, p] : model.named_parameters()) names.push_back(name);
  return names;
}

void check_prefix_matches(const nn::Module& model, const std::string& option, const std::string& prefix) {
  const auto names = parameter_names(model);
  const bool matches = std::any_of(names.begin(), names.end(), [&](const std::string& n) { return starts_with(n, prefix); });
  TG_CHECK(matches, "train: {} '{}' matches no parameter of {}; its parameters are: {}", option, prefix, model.type_name(),
           fmt::join(names, ", "));
}

}  // namespace

std::map<std::string, Tensor> model_tensors_in(const std::string& checkpoint_path) {
  TG_CHECK(std::filesystem::is_regular_file(checkpoint_path), "train: --init-from: no checkpoint file '{}'",
           checkpoint_path);
  std::map<std::string, Tensor> model_state;
  for (auto& [key, tensor] : nn::load_safetensors(checkpoint_path))
    if (std::string_view(key).starts_with(kModelPrefix)) model_state.emplace(key.substr(kModelPrefix.size()), tensor);
  return model_state;
}

std::vector<std::string> tensors_not_set_by(const nn::Module& model, const std::map<std::string, Tensor>& state,
                                            const std::string& checkpoint_path) {
  std::vector<std::string> not_set;
  const auto own = named_tensors(model);
  for (const auto& [name, tensor] : own) {
    const auto it = state.find(name);
    if (it == state.end() || it->second.shape() != tensor.shape()) not_set.push_back(name);
  }
  TG_CHECK(not_set.size() < own.size(),
           "train: --init-from '{}': none of its {} model tensors matches a tensor of {} by name and shape",
           checkpoint_path, state.size(), model.type_name());
  return not_set;
}

std::vector<std::string> load_matching_tensors(nn::Module& model, const std::string& checkpoint_path) {
  const std::map<std::string, Tensor> state = model_tensors_in(checkpoint_path);
  std::vector<std::string> not_set = tensors_not_set_by(model, state, checkpoint_path);
  // The file's tensors the model has with the same shape; the others are left out.
  std::map<std::string, Tensor> matching;
  for (const auto& [name, tensor] : named_tensors(model)) {
    const auto it = state.find(name);
    if (it != state.end() && it->second.shape() == tensor.shape()) matching.emplace(name, it->second.to(tensor.dtype()));
  }
  model.load_state_dict(matching, /*strict=*/false);
  return not_set;
}

void check_prefixes(const nn::Module& model, const std::vector<std::string>& freeze,
                    const std::vector<std::pair<std::string, double>>& lr_for) {
  for (const std::string& prefix : freeze) check_prefix_matches(model, "--freeze", prefix);
  for (const auto& [prefix, lr] : lr_for) {
    check_prefix_matches(model, "--lr-for", prefix);
    TG_CHECK(lr > 0 && std::isfinite(lr), "train: --lr-for '{}={}': the learning rate must be a finite number > 0",
             prefix, lr);
  }
}

std::vector<optim::ParamGroup> parameter_groups(nn::Module& model, const std::vector<std::string>& freeze,
                                                const std::vector<std::pair<std::string, double>>& lr_for) {
  check_prefixes(model, freeze, lr_for);
  std::vector<optim::ParamGroup> groups(1 + lr_for.size());
  for (std::size_t i = 0; i < lr_for.size(); ++i) groups[i + 1].options.set("lr", lr_for[i].second);
  for (auto& [name, p] : model.named_parameters()) {
    const bool frozen =
        std::any_of(freeze.begin(), freeze.end(), [&](const std::string& prefix) { return starts_with(name, prefix); });
    if (frozen) p.requires_grad_(false);
    if (!p.requires_grad()) continue;
    std::size_t group = 0;
    for (std::size_t i = 0; i < lr_for.size() && group == 0; ++i)
      if (starts_with(name, lr_for[i].first)) group = i + 1;
    groups[group].params.push_back(p);
  }
  std::erase_if(groups, [](const optim::ParamGroup& g) { return g.params.empty(); });
  TG_CHECK(!groups.empty(), "train: every parameter of {} is frozen or does not require grad; nothing to train",
           model.type_name());
  return groups;
}

}  // namespace tg::train
