// The model registry: models by name, built-ins and user models alike, with the option
// checks each model declares and the capture that plug-in loading relies on.
#include <doctest/doctest.h>

#include <algorithm>
#include <stdexcept>

#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

namespace nn = tg::nn;

namespace {

// Flatten and one linear layer, sized from the options: the smallest model that reads
// input_shape and classes.
nn::ModulePtr make_linear_probe(const nn::ModelOptions& options) {
  auto model = std::make_shared<nn::Sequential>();
  model->push_back(std::make_shared<nn::Flatten>());
  model->push_back(std::make_shared<nn::Linear>(
      options.input_shape[0] * options.input_shape[1] * options.input_shape[2], options.classes));
  return model;
}

// A registration at static initialization, as a user's program or a plug-in makes one.
TAPEGRAD_REGISTER_MODEL("test_registry_linear_probe", make_linear_probe, "flatten and one linear layer");

bool listed(const std::string& name) {
  const std::vector<std::string> names = nn::model_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

TEST_CASE("model registry: the built-in models are registered and listed sorted") {
  CHECK(nn::is_model_registered("mlp"));
  CHECK(nn::is_model_registered("cnn"));
  CHECK(nn::is_model_registered("mlp5x100"));
  const std::vector<std::string> names = nn::model_names();
  CHECK(std::is_sorted(names.begin(), names.end()));
  CHECK(nn::find_model("cnn").uses_width);
  CHECK_FALSE(nn::find_model("mlp").uses_width);
  const std::string listing = nn::describe_registered_models();
  CHECK(listing.find("cnn: two [conv 3x3, BatchNorm, ReLU, maxpool 2] blocks") != std::string::npos);
  CHECK(listing.find("(reads dropout, width)") != std::string::npos);
}

TEST_CASE("model registry: a model registered by the macro is built by name from its options") {
  CHECK(listed("test_registry_linear_probe"));
  const nn::ModulePtr model =
      nn::make_model("test_registry_linear_probe", {.classes = 3, .input_shape = {2, 5, 4}});
  // 2*5*4 inputs times 3 classes, plus 3 biases.
  CHECK(model->num_parameters() == 40 * 3 + 3);
  const tg::Tensor logits = (*model)(tg::zeros({7, 2, 5, 4}));
  CHECK(logits.shape() == std::vector<std::int64_t>{7, 3});
}

TEST_CASE("model registry: the built-in models size themselves from input_shape") {
  // mlp: (3*8*8)-256-128-4.
  CHECK(nn::make_model("mlp", {.classes = 4, .input_shape = {3, 8, 8}})->num_parameters() ==
        (192 * 256 + 256) + (256 * 128 + 128) + (128 * 4 + 4));
  // cnn on 3x8x8: after two poolings 2x2 pixels of 64 channels feed the hidden layer.
  const nn::ModulePtr cnn = nn::make_model("cnn", {.classes = 4, .input_shape = {3, 8, 8}});
  CHECK((*cnn)(tg::zeros({2, 3, 8, 8})).shape() == std::vector<std::int64_t>{2, 4});
  CHECK_ERROR(nn::make_model("cnn", {.input_shape = {1, 3, 28}}),
              "make_model: the cnn pools twice by 2 and needs images of at least 4x4, got input_shape [1, 3, 28]");
}

TEST_CASE("model registry: an unknown name lists the registered models") {
  CHECK_ERROR(nn::make_model("resnet"), "make_model: unknown model 'resnet'; known models: cnn, mlp, mlp5x100");
  CHECK_ERROR(nn::find_model("resnet"), "known models: cnn, mlp, mlp5x100");
  CHECK_ERROR(nn::check_model_options("resnet", {}), "make_model: unknown model 'resnet'");
}

TEST_CASE("model registry: a second registration of a name is an error naming both origins") {
  CHECK_ERROR(nn::register_model("mlp", make_linear_probe, "another mlp"),
              "nn::register_model: a model named 'mlp' is already registered, by tapegrad's built-in models; "
              "registered again by the program");
  CHECK_ERROR(nn::register_model("test_registry_linear_probe", make_linear_probe, ""),
              "a model named 'test_registry_linear_probe' is already registered, by the program; registered again "
              "by the program");
  CHECK_ERROR(nn::register_model("", make_linear_probe, ""), "nn::register_model: empty model name");
  CHECK_ERROR(nn::register_model("test_registry_no_factory", nullptr, ""),
              "nn::register_model: model 'test_registry_no_factory' has no factory");
  CHECK_FALSE(nn::is_model_registered("test_registry_no_factory"));
}

TEST_CASE("model registry: a capture collects registrations and failures instead of throwing") {
  nn::ModelRegistrationCapture capture("plug-in 'libtest.so'");
  nn::register_model("test_registry_captured", make_linear_probe, "captured");
  nn::register_model("mlp", make_linear_probe, "a duplicate");
  {
    // The innermost capture collects.
    nn::ModelRegistrationCapture inner("plug-in 'libinner.so'");
    nn::register_model("test_registry_captured", make_linear_probe, "again");
    REQUIRE(inner.errors().size() == 1);
    CHECK(inner.errors()[0].find("a model named 'test_registry_captured' is already registered, by plug-in "
                                 "'libtest.so'; registered again by plug-in 'libinner.so'") != std::string::npos);
  }
  CHECK(capture.names() == std::vector<std::string>{"test_registry_captured"});
  REQUIRE(capture.errors().size() == 1);
  CHECK(capture.errors()[0].find("a model named 'mlp' is already registered, by tapegrad's built-in models; "
                                 "registered again by plug-in 'libtest.so'") != std::string::npos);
}

TEST_CASE("model registry: the common option checks") {
  CHECK_ERROR(nn::make_model("mlp", {.dropout = 1.0}), "make_model: dropout must be in [0, 1), got 1");
  CHECK_ERROR(nn::make_model("mlp", {.classes = 1}), "make_model: classes must be at least 2, got 1");
  CHECK_ERROR(nn::make_model("cnn", {.width = 17}), "make_model: width must be in [1, 16], got 17");
  CHECK_ERROR(nn::make_model("mlp", {.input_shape = {28, 28}}),
              "make_model: input_shape must be three positive sizes [C, H, W], got [28, 28]");
  CHECK_ERROR(nn::make_model("mlp", {.input_shape = {1, 0, 28}}),
              "make_model: input_shape must be three positive sizes [C, H, W], got [1, 0, 28]");
}

TEST_CASE("model registry: each model's declared options and its own check") {
  int built = 0;
  nn::register_model({.name = "test_registry_declared",
                      .factory =
                          [&built](const nn::ModelOptions& options) {
                            ++built;
                            return make_linear_probe(options);
                          },
                      .doc = "reads neither dropout nor width",
                      .uses_width = false,
                      .uses_dropout = false,
                      .check = [](const nn::ModelOptions& options) {
                        TG_CHECK(options.classes <= 5, "test_registry_declared: at most 5 classes, got {}",
                                 options.classes);
                      }});
  CHECK(nn::make_model("test_registry_declared", {.classes = 5})->num_parameters() == 784 * 5 + 5);
  CHECK(built == 1);
  // A model that does not read an option refuses a value other than its default, before building.
  CHECK_ERROR(nn::make_model("test_registry_declared", {.dropout = 0.2, .classes = 5}),
              "make_model: dropout 0.2 does not apply to 'test_registry_declared' (it has no dropout)");
  // The message names the models that read the option (here the cnn alone).
  CHECK_ERROR(nn::make_model("test_registry_declared", {.classes = 5, .width = 2}),
              "make_model: width 2 applies to the cnn only, not to 'test_registry_declared'");
  CHECK_ERROR(nn::check_model_options("test_registry_declared", {.classes = 10}),
              "test_registry_declared: at most 5 classes, got 10");
  CHECK(built == 1);
  CHECK(nn::describe_registered_models().find("test_registry_declared: reads neither dropout nor width\n") !=
        std::string::npos);
}

TEST_CASE("model registry: a factory that throws or returns nothing is an error naming the model") {
  nn::register_model("test_registry_throws",
                     [](const nn::ModelOptions&) -> nn::ModulePtr { throw std::runtime_error("out of ideas"); }, "");
  CHECK_ERROR(nn::make_model("test_registry_throws"),
              "make_model: building model 'test_registry_throws' failed: out of ideas");
  nn::register_model("test_registry_null", [](const nn::ModelOptions&) { return nn::ModulePtr{}; }, "");
  CHECK_ERROR(nn::make_model("test_registry_null"), "make_model: the factory of model 'test_registry_null' returned no module");
}
