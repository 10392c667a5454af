// The built-in models live in the train layer: libtapegrad_train registers them in nn's
// model registry under its own origin, and an origin-naming registration reports a
// failure where any other registration would.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <tapegrad/nn/containers.hpp>
#include <tapegrad/nn/flatten.hpp>
#include <tapegrad/nn/model_registry.hpp>
#include <tapegrad/train/models.hpp>

#include "check_error.hpp"

namespace nn = tg::nn;

namespace {
nn::ModulePtr make_flatten(const nn::ModelOptions&) { return std::make_shared<nn::Flatten>(); }
}  // namespace

TEST_CASE("train models: builtin_models lists mlp, cnn and mlp5x100, all registered by loading tapegrad_train") {
  std::vector<std::string> names;
  for (const nn::ModelInfo& info : tg::train::builtin_models()) names.push_back(info.name);
  CHECK(names == std::vector<std::string>{"mlp", "cnn", "mlp5x100"});
  for (const std::string& name : names) {
    CAPTURE(name);
    CHECK(nn::is_model_registered(name));
  }
  CHECK(nn::find_model("cnn").uses_width);
}

TEST_CASE("train models: a registration of a built-in name again names the train layer's origin") {
  CHECK_ERROR(nn::register_model("cnn", make_flatten, "another cnn"),
              "nn::register_model: a model named 'cnn' is already registered, by tapegrad's built-in models; "
              "registered again by the program");
}

TEST_CASE("train models: a registration with an origin names it, and a failure goes to the enclosing capture") {
  nn::ModelRegistrationCapture outer("plug-in 'libouter.so'");
  nn::ModelRegistration(nn::ModelInfo{.name = "test_train_models_flatten", .factory = make_flatten},
                        "the test's own models");
  nn::ModelRegistration(nn::ModelInfo{.name = "test_train_models_flatten", .factory = make_flatten},
                        "a second origin");
  CHECK(outer.names() == std::vector<std::string>{"test_train_models_flatten"});
  REQUIRE(outer.errors().size() == 1);
  CHECK(outer.errors()[0] ==
        "nn::register_model: a model named 'test_train_models_flatten' is already registered, by the test's own "
        "models; registered again by a second origin");
}

TEST_CASE("train models: an unknown model name close to a registered one suggests it") {
  CHECK_ERROR(nn::make_model("cnm"), "make_model: unknown model 'cnm' (did you mean 'cnn'?); known models: cnn,");
  CHECK_ERROR(nn::make_model("resnet"), "make_model: unknown model 'resnet'; known models: cnn,");
}
