// What each page says and shows: the bench page describes only its parts, the search page
// plots trials as points, the init experiment's page has every layer's histogram.
#include <doctest/doctest.h>

#include <string>

#include <tapegrad/train/diagnostics/init_experiment_report.hpp>
#include <tapegrad/train/race/bench_report.hpp>
#include <tapegrad/train/search/search_report.hpp>

#include "report_svg_text.hpp"

using report_test::count;

TEST_CASE("report pages: the bench page explains the lr tuning only when it races test functions") {
  const std::string fashion_only = tg::train::bench_intro({"adam", "sgd"}, 3, nullptr);
  CHECK(fashion_only == "Optimizers: adam, sgd. Seed 3.");
  const tg::train::LrSearch search{};
  const std::string functions = tg::train::bench_intro({"adam"}, 0, &search);
  CHECK(functions.starts_with("Optimizers: adam. Seed 0. On the test functions, learning rates marked (tuned)"));
  CHECK(functions.find("saddle") != std::string::npos);
}

TEST_CASE("report pages: on the saddle, an optimizer that jumps to -1e18 does not stretch the f axis") {
  const auto saddle = tg::train::find_test_function("saddle");
  // L-BFGS leaves the plot in one step for f = -3.6e18; sgd stays near the start.
  const tg::train::RaceRun lbfgs{.optimizer = "lbfgs", .trajectory = {{-1, 0.001}, {1e9, 1.9e9}},
                                 .loss = {saddle.value(-1, 0.001), saddle.value(1e9, 1.9e9)}};
  const tg::train::RaceRun sgd{.optimizer = "sgd", .trajectory = {{-1, 0.001}, {-0.98, 0.0011}, {-0.96, 0.0012}},
                               .loss = {saddle.value(-1, 0.001), saddle.value(-0.98, 0.0011), saddle.value(-0.96, 0.0012)}};
  tg::train::report::Report page("bench");
  tg::train::add_function_race(page, saddle, {lbfgs, sgd}, tg::train::report::Table{});
  const std::string html = page.html();
  CHECK(html.find("e18") == std::string::npos);
  CHECK(html.find("e17") == std::string::npos);
  CHECK(html.find("saddle: f against iteration") != std::string::npos);
}

TEST_CASE("report pages: the search page draws each range's trials as a scatter, best ringed, borders as lines") {
  using namespace tg::train::search;
  const SearchSpace space{{{"lr", 1e-5, 1e-1, Scale::log}, {"dropout", 0, 0.7, Scale::linear}}};
  const auto trial = [](int stage, int index, double lr, double dropout, double accuracy) {
    return TrialResult{.spec = {.stage = stage, .trial = index, .values = {{"lr", lr}, {"dropout", dropout}}},
                       .validation_accuracy = accuracy};
  };
  SearchSummary summary;
  summary.stages = {{.stage = 1, .ranked = {trial(1, 1, 1e-3, 0.2, 0.8), trial(1, 0, 1e-2, 0.5, 0.6),
                                             trial(1, 2, 1e-5, 0.1, 0.3)}},
                    {.stage = 2, .ranked = {trial(2, 0, 2e-3, 0.3, 0.85)}}};
  summary.ranked = {summary.stages[1].ranked[0], summary.stages[0].ranked[0], summary.stages[0].ranked[1],
                    summary.stages[0].ranked[2]};
  const std::string html = search_report(summary, space).html();
  CHECK(count(html, "<svg") == 2);
  CHECK(html.find(">lr (log scale)</text>") != std::string::npos);
  CHECK(html.find(">searched range [1e-05, 0.1]</text>") != std::string::npos);
  CHECK(html.find(">best (stage 2 trial 0)</text>") != std::string::npos);
  CHECK(html.find(">stage 1 (3 trials)</text>") != std::string::npos);
  // No line joins the trials: every data path is made of closed markers only.
  CHECK(html.find("stroke-linejoin") == std::string::npos);
  CHECK(count(html, "stroke-dasharray=\"5 4\"") == 2 * (2 + 1));  // 2 borders and a legend swatch per plot
}

TEST_CASE("report pages: the init experiment shows each layer's activations per initialization and activation") {
  const tg::train::InitExperiment small{.layers = 3, .units = 20, .inputs = 50, .seed = 1};
  const tg::train::report::Report page = tg::train::init_experiment_report(small);
  // Per activation (sigmoid, tanh, relu): the std per layer, and one histogram plot per init.
  CHECK(page.plots() == 3 * (1 + 4));
  const std::string html = page.html();
  for (const char* title : {">std 1, sigmoid: activations of each layer</text>",
                            ">std 0.01, tanh: activations of each layer</text>",
                            ">xavier, tanh: activations of each layer</text>", ">he, relu: activations of each layer</text>",
                            ">relu: std of the activations per layer</text>"})
    CHECK_MESSAGE(html.find(title) != std::string::npos, title);
  CHECK(count(html, ">layer 3 \u03C3=") == 3 * 4);  // one panel per layer in every histogram plot
  // tanh's histograms share [-1, 1]: the collapse of std 0.01 to 0 shows as a spike there.
  CHECK(count(html, ">\u22121.0</text>") >= 4 * 3);
  CHECK(count(html, "<caption>") == 3);  // the tables of mean, std, saturated and zero
}
