// The search's settings check models against the registry: a user's model is accepted by
// name, and a dropout range for a model without dropout is refused before any trial.
#include <doctest/doctest.h>

#include <tapegrad/nn/nn.hpp>

#include "check_error.hpp"
#include <tapegrad/train/search/space.hpp>
#include <tapegrad/train/search/training_trial.hpp>

namespace {

tg::nn::ModulePtr make_flat_probe(const tg::nn::ModelOptions& options) {
  auto model = std::make_shared<tg::nn::Sequential>();
  model->push_back(std::make_shared<tg::nn::Flatten>());
  model->push_back(std::make_shared<tg::nn::Linear>(28 * 28, options.classes));
  return model;
}

TAPEGRAD_REGISTER_MODEL_INFO((tg::nn::ModelInfo{
    .name = "test_search_no_dropout", .factory = make_flat_probe, .doc = "no dropout", .uses_dropout = false}));

}  // namespace

TEST_CASE("search settings: a registered user model is searched, with no dropout range if it has no dropout") {
  using namespace tg::train::search;
  const TrialSettings settings{.model = "test_search_no_dropout"};
  CHECK_NOTHROW(settings.validate(parse_space({"lr=1e-4:1e-2"})));
  CHECK_ERROR(settings.validate(parse_space({"lr=1e-4:1e-2", "dropout=0:0.5"})),
              "--range 'dropout=0:0.5:linear': model 'test_search_no_dropout' has no dropout; give the ranges to "
              "search with --range");
  CHECK_ERROR(TrialSettings{.model = "no_such_model"}.validate(parse_space({"lr=1e-4:1e-2"})),
              "search: unknown model 'no_such_model'; known: cnn, mlp, mlp5x100");
}
