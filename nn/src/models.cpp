#include "tapegrad/nn/models.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <memory>

#include "tapegrad/error.hpp"
#include "tapegrad/nn/activations.hpp"
#include "tapegrad/nn/batch_norm.hpp"
#include "tapegrad/nn/containers.hpp"
#include "tapegrad/nn/conv.hpp"
#include "tapegrad/nn/dropout.hpp"
#include "tapegrad/nn/flatten.hpp"
#include "tapegrad/nn/init.hpp"
#include "tapegrad/nn/linear.hpp"
#include "tapegrad/nn/pooling.hpp"

namespace tg::nn {

namespace {

// The classifier layer: no ReLU follows it, so He's gain does not apply. Small
// weights (std 0.01, CS231n) make the initial loss -ln(1/C), the sanity check of
// MISSION.md section 2.
std::shared_ptr<Linear> classifier(std::int64_t in, std::int64_t classes) {
  auto layer = std::make_shared<Linear>(in, classes);
  normal_(layer->weight(), 0.01);
  return layer;
}

void add_dropout(Sequential& model, double p) {
  if (p > 0) model.push_back(std::make_shared<Dropout>(p));
}

// Flatten, then a Linear + ReLU (+ dropout) per hidden width, then the classifier.
ModulePtr relu_mlp(const std::vector<std::int64_t>& hidden_widths, const ModelOptions& o) {
  auto model = std::make_shared<Sequential>();
  model->push_back(std::make_shared<Flatten>());
  std::int64_t in = 28 * 28;
  for (std::int64_t width : hidden_widths) {
    model->push_back(std::make_shared<Linear>(in, width));
    model->push_back(std::make_shared<ReLU>());
    add_dropout(*model, o.dropout);
    in = width;
  }
  model->push_back(classifier(in, o.classes));
  return model;
}

ModulePtr cnn(const ModelOptions& o) {
  auto model = std::make_shared<Sequential>();
  const std::int64_t w = o.width;
  std::int64_t in = 1;
  for (std::int64_t channels : {32 * w, 64 * w}) {
    // No conv bias: BatchNorm's shift replaces it.
    model->push_back(std::make_shared<Conv2d>(in, channels, 3, Conv2dOptions{.padding = 1}, /*bias=*/false));
    model->push_back(std::make_shared<BatchNorm2d>(channels));
    model->push_back(std::make_shared<ReLU>());
    model->push_back(std::make_shared<MaxPool2d>(2));
    in = channels;
  }
  model->push_back(std::make_shared<Flatten>());
  model->push_back(std::make_shared<Linear>(in * 7 * 7, 128 * w));
  model->push_back(std::make_shared<ReLU>());
  add_dropout(*model, o.dropout);
  model->push_back(classifier(128 * w, o.classes));
  return model;
}

}  // namespace

std::vector<std::string> model_names() { return {"cnn", "mlp", "mlp5x100"}; }

void check_model_options(const std::string& name, const ModelOptions& options) {
  const std::vector<std::string> names = model_names();
  TG_CHECK(std::find(names.begin(), names.end(), name) != names.end(), "make_model: unknown model '{}'; known models: {}",
           name, fmt::join(names, ", "));
  TG_CHECK(options.dropout >= 0 && options.dropout < 1, "make_model: dropout must be in [0, 1), got {}",
           options.dropout);
  TG_CHECK(options.classes >= 2, "make_model: classes must be at least 2, got {}", options.classes);
  TG_CHECK(options.width >= 1 && options.width <= 16, "make_model: width must be in [1, 16], got {}", options.width);
  TG_CHECK(options.width == 1 || name == "cnn", "make_model: width {} applies to the cnn only, not to '{}'",
           options.width, name);
}

ModulePtr make_model(const std::string& name, const ModelOptions& options) {
  check_model_options(name, options);
  if (name == "mlp") return relu_mlp({256, 128}, options);
  if (name == "cnn") return cnn(options);
  // The seed's network for the optimizer comparison (MISSION.md section 10), He-initialized.
  if (name == "mlp5x100") return relu_mlp({100, 100, 100, 100, 100}, options);
  fail("make_model: model '{}' is listed but not built", name);
}

}  // namespace tg::nn
