#include <tapegrad/train/models.hpp>

#include <memory>

#include <tapegrad/error.hpp>
#include <tapegrad/nn/activations.hpp>
#include <tapegrad/nn/batch_norm.hpp>
#include <tapegrad/nn/containers.hpp>
#include <tapegrad/nn/conv.hpp>
#include <tapegrad/nn/dropout.hpp>
#include <tapegrad/nn/flatten.hpp>
#include <tapegrad/nn/init.hpp>
#include <tapegrad/nn/linear.hpp>
#include <tapegrad/nn/pooling.hpp>

namespace tg::train {

using nn::ModelInfo;
using nn::ModelOptions;
using nn::ModulePtr;

namespace {

// The classifier layer: no ReLU follows it, so He's gain does not apply. Small
// weights (std 0.01, CS231n) make the initial loss ln(C), the first of the sanity checks
// (docs/training.md).
std::shared_ptr<nn::Linear> classifier(std::int64_t in, std::int64_t classes) {
  auto layer = std::make_shared<nn::Linear>(in, classes);
  nn::normal_(layer->weight(), 0.01);
  return layer;
}

void add_dropout(nn::Sequential& model, double p) {
  if (p > 0) model.push_back(std::make_shared<nn::Dropout>(p));
}

// Flatten, then a Linear + ReLU (+ dropout) per hidden width, then the classifier.
ModulePtr relu_mlp(const std::vector<std::int64_t>& hidden_widths, const ModelOptions& o) {
  auto model = std::make_shared<nn::Sequential>();
  model->push_back(std::make_shared<nn::Flatten>());
  std::int64_t in = o.input_shape[0] * o.input_shape[1] * o.input_shape[2];
  for (std::int64_t width : hidden_widths) {
    model->push_back(std::make_shared<nn::Linear>(in, width));
    model->push_back(std::make_shared<nn::ReLU>());
    add_dropout(*model, o.dropout);
    in = width;
  }
  model->push_back(classifier(in, o.classes));
  return model;
}

ModulePtr cnn(const ModelOptions& o) {
  auto model = std::make_shared<nn::Sequential>();
  const std::int64_t w = o.width;
  std::int64_t in = o.input_shape[0];
  for (std::int64_t channels : {32 * w, 64 * w}) {
    // No conv bias: BatchNorm's shift replaces it.
    model->push_back(std::make_shared<nn::Conv2d>(in, channels, 3, Conv2dOptions{.padding = 1}, /*bias=*/false));
    model->push_back(std::make_shared<nn::BatchNorm2d>(channels));
    model->push_back(std::make_shared<nn::ReLU>());
    model->push_back(std::make_shared<nn::MaxPool2d>(2));
    in = channels;
  }
  model->push_back(std::make_shared<nn::Flatten>());
  model->push_back(std::make_shared<nn::Linear>(in * (o.input_shape[1] / 4) * (o.input_shape[2] / 4), 128 * w));
  model->push_back(std::make_shared<nn::ReLU>());
  add_dropout(*model, o.dropout);
  model->push_back(classifier(128 * w, o.classes));
  return model;
}

void check_cnn(const ModelOptions& o) {
  TG_CHECK(o.input_shape[1] >= 4 && o.input_shape[2] >= 4,
           "make_model: the cnn pools twice by 2 and needs images of at least 4x4, got input_shape [{}, {}, {}]",
           o.input_shape[0], o.input_shape[1], o.input_shape[2]);
}

}  // namespace

std::vector<ModelInfo> builtin_models() {
  return {
      {.name = "mlp",
       .factory = [](const ModelOptions& o) { return relu_mlp({256, 128}, o); },
       .doc = "flatten, 256-128 ReLU hidden layers, linear classifier"},
      {.name = "cnn",
       .factory = cnn,
       .doc = "two [conv 3x3, BatchNorm, ReLU, maxpool 2] blocks (32w, 64w channels), 128w hidden units",
       .uses_width = true,
       .check = check_cnn},
      // The network of the optimizer comparison, He-initialized.
      {.name = "mlp5x100",
       .factory = [](const ModelOptions& o) { return relu_mlp({100, 100, 100, 100, 100}, o); },
       .doc = "flatten, five hidden layers of 100 ReLU units, linear classifier"},
  };
}

// Registered when libtapegrad_train is loaded, before the program's own static
// registrations run (a shared library is initialized before the code that depends on it),
// so a program or plug-in that registers one of these names again gets the registry's
// error naming both origins.
namespace {
const bool registered = [] {
  for (ModelInfo& info : builtin_models()) nn::ModelRegistration(std::move(info), kBuiltinModelsOrigin);
  return true;
}();
}  // namespace

}  // namespace tg::train
