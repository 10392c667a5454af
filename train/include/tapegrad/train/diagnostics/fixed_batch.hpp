#pragma once
// Small helpers the diagnostics share: a fixed batch to look at, a fresh copy of a
// named model, and a guard that keeps the training's random stream untouched.
#include <cstdint>
#include <optional>
#include <string>

#include <tapegrad/nn/data/dataset.hpp>
#include <tapegrad/nn/data/loader.hpp>
#include <tapegrad/nn/data/normalization.hpp>
#include <tapegrad/random.hpp>
#include <tapegrad/train/models.hpp>

namespace tg::train {

// The first n examples of dataset (all when it has fewer), normalized by norm.
nn::data::Batch first_examples(const nn::data::Dataset& dataset, std::int64_t n,
                           const std::optional<nn::data::Normalization>& norm);

// Restores the calling thread's default random stream when it goes out of scope, so a
// diagnostic that makes a model or draws a dropout mask leaves training's draws as they were.
class DefaultGeneratorRestore {
 public:
  DefaultGeneratorRestore() : saved_(default_generator().state()) {}
  ~DefaultGeneratorRestore() { default_generator().set_state(saved_); }
  DefaultGeneratorRestore(const DefaultGeneratorRestore&) = delete;
  DefaultGeneratorRestore& operator=(const DefaultGeneratorRestore&) = delete;

 private:
  Generator::State saved_;
};

// make_model(name, options) initialized as training's is with tg::manual_seed(seed);
// the default random stream is left as found.
nn::ModulePtr make_seeded_model(const std::string& name, const nn::ModelOptions& options, std::uint64_t seed);

}  // namespace tg::train
