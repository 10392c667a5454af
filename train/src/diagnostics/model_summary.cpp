#include <tapegrad/train/diagnostics/model_summary.hpp>

#include <fmt/format.h>

#include <span>

#include <tapegrad/autograd.hpp>
#include <tapegrad/nn/containers.hpp>

#include "diagnostics/mode_restore.hpp"

namespace tg::train {

namespace {

std::int64_t parameter_count(const nn::Module& module) {
  std::int64_t count = 0;
  for (const Tensor& p : module.parameters()) count += p.numel();
  return count;
}

// Runs inputs through module, a row per layer (a Sequential's children expanded, the first
// taking every input); returns the output.
Tensor run(nn::Module& module, const std::string& path, std::span<const Tensor> inputs,
           std::vector<LayerSummary>& rows) {
  if (dynamic_cast<nn::Sequential*>(&module) == nullptr) {
    Tensor y = module.forward_inputs(inputs);
    rows.push_back({path, module.type_name(), module.name(), y.shape(), parameter_count(module)});
    return y;
  }
  const auto& children = module.named_children();
  if (children.empty()) return module.forward_inputs(inputs);  // the identity, no row
  const auto child_path = [&](const std::string& name) { return path.empty() ? name : path + "." + name; };
  Tensor y = run(*children[0].second, child_path(children[0].first), inputs, rows);
  for (std::size_t i = 1; i < children.size(); ++i)
    y = run(*children[i].second, child_path(children[i].first), std::span<const Tensor>(&y, 1), rows);
  return y;
}

}  // namespace

ModelSummary summarize_model(nn::Module& model, const std::vector<Tensor>& examples) {
  TG_CHECK(!examples.empty(), "summarize_model: no example input; expected one batch per input of {}", model.name());
  const detail::ModeRestore restore(model);
  model.eval();
  NoGradGuard no_grad;
  ModelSummary summary{examples[0].shape(), {}, {}, parameter_count(model)};
  for (const Tensor& example : examples) summary.inputs.push_back(example.shape());
  run(model, "", examples, summary.layers);
  return summary;
}

ModelSummary summarize_model(nn::Module& model, const Tensor& example) {
  return summarize_model(model, std::vector<Tensor>{example});
}

report::Table model_summary_table(const ModelSummary& summary) {
  std::string title = fmt::format("layers and their outputs for an input of shape {}", summary.input.str());
  if (summary.inputs.size() > 1) {
    title = "layers and their outputs for inputs of shapes ";
    for (std::size_t i = 0; i < summary.inputs.size(); ++i)
      title += (i == 0 ? "" : i + 1 == summary.inputs.size() ? " and " : ", ") + summary.inputs[i].str();
  }
  report::Table table{.title = title,
                      .header = {"layer", "type", "output shape", "parameters"}};
  for (const LayerSummary& layer : summary.layers)
    table.rows.push_back({layer.path.empty() ? "(model)" : layer.path, layer.description, layer.output.str(),
                          std::to_string(layer.parameters)});
  table.rows.push_back({"total", "", "", std::to_string(summary.parameters)});
  return table;
}

}  // namespace tg::train
