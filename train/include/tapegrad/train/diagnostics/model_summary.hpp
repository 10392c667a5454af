#pragma once
// A model at a glance: each layer's path, type, output shape on an example batch and
// parameter count, with the total; a table in every training report, and usable on its own:
//   const ModelSummary s = summarize_model(*model, first_batch.images);
//   page.add(model_summary_table(s));
#include <cstdint>
#include <string>
#include <vector>

#include <tapegrad/nn/module.hpp>

#include <tapegrad/train/report/report.hpp>

namespace tg::train {

struct LayerSummary {
  std::string path{};         // "1", "features.0"; "" for a model that is not a Sequential
  std::string type{};         // type_name(): "BatchNorm2d"
  std::string description{};  // name(): "BatchNorm2d(32)"
  Shape output{};             // on the example batch
  std::int64_t parameters = 0;  // elements of its parameters, its children's included
};

struct ModelSummary {
  Shape input{};  // the first input's
  std::vector<Shape> inputs{};  // every input's, for a model with several (docs/modules.md)
  std::vector<LayerSummary> layers{};  // in the order they run
  std::int64_t parameters = 0;         // all of the model's, counted once
};

// Runs model once on example under NoGradGuard in eval mode (no dropout draw, BatchNorm
// on its running statistics; nothing in the model or the random stream changes) and
// restores its train/eval mode. A Sequential is summarized child by child, nested
// Sequentials expanded (path "2.0"); any other module is one row.
ModelSummary summarize_model(nn::Module& model, const Tensor& example);
// A model with several inputs, one example batch each (through forward_inputs; a
// Sequential gives them to its first module). The caption names every input shape.
ModelSummary summarize_model(nn::Module& model, const std::vector<Tensor>& examples);

// Columns layer, type (name(): "Linear(784, 256)"), output shape, parameters; the last row
// is the total; the caption names the input shape (the shapes, for several inputs).
report::Table model_summary_table(const ModelSummary& summary);

}  // namespace tg::train
