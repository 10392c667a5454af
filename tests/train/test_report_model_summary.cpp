// Layers named by what they are, and the model summary table of every training report.
#include <doctest/doctest.h>

#include <memory>
#include <numeric>
#include <string>

#include <tapegrad/nn/containers.hpp>
#include <tapegrad/nn/linear.hpp>
#include <tapegrad/random.hpp>
#include <tapegrad/train/diagnostics/model_summary.hpp>
#include <tapegrad/train/diagnostics/parameter_label.hpp>
#include <tapegrad/train/diagnostics/train_report.hpp>
#include <tapegrad/train/models.hpp>

using tg::Tensor;
using tg::train::model_summary_table;
using tg::train::ModelSummary;
using tg::train::parameter_label;
using tg::train::summarize_model;

TEST_CASE("model summary: a parameter is named by its layer's path, type and own name") {
  const auto cnn = tg::nn::make_model("cnn");
  const auto named = cnn->named_parameters();
  REQUIRE(named.size() > 2);
  CHECK(named[1].first == "1.weight");  // by position alone it could be anything
  CHECK(parameter_label(*cnn, named[1].first) == "1 BatchNorm2d.weight");
  CHECK(parameter_label(*cnn, named[0].first) == "0 Conv2d.weight");
  // Nested containers keep the whole path; a parameter of the model itself has no path.
  auto inner = std::make_shared<tg::nn::Sequential>();
  inner->push_back(std::make_shared<tg::nn::Linear>(3, 2));
  tg::nn::Sequential outer;
  outer.push_back(std::make_shared<tg::nn::Linear>(4, 3));
  outer.push_back(inner);
  CHECK(parameter_label(outer, "1.0.bias") == "1.0 Linear.bias");
  CHECK(parameter_label(tg::nn::Linear(2, 2), "weight") == "Linear.weight");
}

TEST_CASE("model summary: one row per layer with its output shape and parameters, summing to the total") {
  const auto mlp = tg::nn::make_model("mlp", {.dropout = 0.2});
  const Tensor batch = tg::zeros({4, 1, 28, 28});
  const auto stream = tg::default_generator().state();
  const ModelSummary s = summarize_model(*mlp, batch);
  CHECK(tg::default_generator().state().offset == stream.offset);  // no dropout mask was drawn
  CHECK(mlp->is_training());                                       // the mode it had
  REQUIRE(s.layers.size() == 8);  // Flatten, (Linear, ReLU, Dropout) x 2, Linear
  CHECK(s.layers[0].type == "Flatten");
  CHECK(s.layers[0].output.str() == "[4, 784]");
  CHECK(s.layers[1].path == "1");
  CHECK(s.layers[1].description == "Linear(784, 256)");
  CHECK(s.layers[1].parameters == 784 * 256 + 256);
  CHECK(s.layers[7].output.str() == "[4, 10]");
  CHECK(s.parameters == 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
  CHECK(std::accumulate(s.layers.begin(), s.layers.end(), std::int64_t{0},
                        [](std::int64_t n, const tg::train::LayerSummary& l) { return n + l.parameters; }) ==
        s.parameters);
  mlp->eval();
  summarize_model(*mlp, batch);
  CHECK_FALSE(mlp->is_training());

  // The cnn in training mode: BatchNorm runs on its running statistics and leaves them.
  const auto cnn = tg::nn::make_model("cnn");
  const auto buffers_before = cnn->named_buffers()[0].second.to_vector<double>();
  const ModelSummary c = summarize_model(*cnn, tg::randn({2, 1, 28, 28}));
  CHECK(cnn->named_buffers()[0].second.to_vector<double>() == buffers_before);
  CHECK(c.layers[1].type == "BatchNorm2d");

  const tg::train::report::Table table = model_summary_table(s);
  CHECK(table.title == "layers and their outputs for an input of shape [4, 1, 28, 28]");
  CHECK(table.header == std::vector<std::string>{"layer", "type", "output shape", "parameters"});
  CHECK(table.rows[1] == std::vector<std::string>{"1", "Linear(784, 256)", "[4, 256]", "200960"});
  CHECK(table.rows.back() == std::vector<std::string>{"total", "", "", std::to_string(s.parameters)});
}

TEST_CASE("model summary: the training report shows the model table before the plots") {
  const auto mlp = tg::nn::make_model("mlp");
  const Tensor images = tg::zeros({4, 1, 28, 28});
  const ModelSummary summary = summarize_model(*mlp, images);
  const tg::train::TrainOptions options{};
  const tg::train::TrainResult result{};
  const tg::train::TrainingMonitor monitor({images, tg::zeros({4}, tg::i64)});
  const std::string html = tg::train::make_train_report({options, result, monitor, summary, nullptr, nullptr, "mlp"}).html();
  CHECK(html.find("<title>tapegrad train: mlp</title>") != std::string::npos);
  const auto table = html.find("<caption>layers and their outputs for an input of shape [4, 1, 28, 28]</caption>");
  REQUIRE(table != std::string::npos);
  CHECK(table < html.find("<svg"));
  CHECK(html.find("<td>Linear(784, 256)</td><td>[4, 256]</td><td class=\"number\">200960</td>") != std::string::npos);
}
