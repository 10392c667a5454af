#include <tapegrad/train/diagnostics/model_summary.hpp>

#include <fmt/format.h>

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

// Runs x through module, a row per layer (a Sequential's children expanded); returns the output.
Tensor run(nn::Module& module, const std::string& path, const Tensor& x, std::vector<LayerSummary>& rows) {
  if (dynamic_cast<nn::Sequential*>(&module) == nullptr) {
    Tensor y = module(x);
    rows.push_back({path, module.type_name(), module.name(), y.shape(), parameter_count(module)});
    return y;
  }
  Tensor y = x;
  for (const auto& [name, child] : module.named_children())
    y = run(*child, path.empty() ? name : path + "." + name, y, rows);
  return y;
}

}  // namespace

ModelSummary summarize_model(nn::Module& model, const Tensor& example) {
  const detail::ModeRestore restore(model);
  model.eval();
  NoGradGuard no_grad;
  ModelSummary summary{example.shape(), {}, parameter_count(model)};
  run(model, "", example, summary.layers);
  return summary;
}

report::Table model_summary_table(const ModelSummary& summary) {
  report::Table table{.title = fmt::format("layers and their outputs for an input of shape {}", summary.input.str()),
                      .header = {"layer", "type", "output shape", "parameters"}};
  for (const LayerSummary& layer : summary.layers)
    table.rows.push_back({layer.path.empty() ? "(model)" : layer.path, layer.description, layer.output.str(),
                          std::to_string(layer.parameters)});
  table.rows.push_back({"total", "", "", std::to_string(summary.parameters)});
  return table;
}

}  // namespace tg::train
