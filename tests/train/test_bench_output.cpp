// What `tapegrad bench` shows: its tables (text and report), the smoothing of the
// Fashion-MNIST curves, trajectories cut where they leave the plot, and step cost.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.hpp>

#include <tapegrad/train/race/bench_report.hpp>
#include <tapegrad/train/race/bench_tables.hpp>
#include <tapegrad/train/race/step_cost.hpp>

TEST_CASE("bench tables: one row per run, '-' when the tolerance was not reached, aligned text") {
  const auto bowl = tg::train::find_test_function("bowl");
  tg::train::RaceRun sgd{.optimizer = "sgd", .lr = 0.5, .lr_tuned = true, .iterations_to_tolerance = 12,
                        .final_loss = 1.5e-7, .seconds_per_step = 4e-6};
  tg::train::RaceRun adam{.optimizer = "adam", .lr = 0.1, .final_loss = 3.0, .seconds_per_step = 1.25e-5};
  tg::train::RaceRun wild{.optimizer = "momentum", .lr = 2, .final_loss = 1e30, .diverged = true};
  const auto table = tg::train::function_race_table(bowl, {sgd, adam, wild}, {.steps = 30, .tolerance = 1e-6});
  CHECK(table.title == "bowl: x^2/20 + y^2 from (-7, 2), 30 steps");
  CHECK(table.header ==
        std::vector<std::string>{"optimizer", "lr", "iterations to f - f_min < 1e-06", "final loss", "µs/step"});
  CHECK(table.rows[0] == std::vector<std::string>{"sgd", "0.5 (tuned)", "12", "1.500e-07", "4.0"});
  CHECK(table.rows[1] == std::vector<std::string>{"adam", "0.1", "-", "3.000e+00", "12.5"});
  CHECK(table.rows[2][3] == "diverged");
  // Names left-aligned, numbers right-aligned; "µ" is one column wide.
  CHECK(tg::train::text_table({.title = "t", .header = {"name", "µs"}, .rows = {{"a", "1.5"}, {"bcdef", "10"}}}) ==
        "t\n"
        "name    µs\n"
        "a      1.5\n"
        "bcdef   10\n");
}

TEST_CASE("bench step cost table: one column per size, one row per optimizer") {
  const auto table = tg::train::step_cost_table(
      {{"sgd", 1'000'000, 1e-3}, {"sgd", 10'000'000, 1.2e-2}, {"adam", 1'000'000, 2e-3}});
  CHECK(table.header == std::vector<std::string>{"optimizer", "1M params", "10M params"});
  CHECK(table.rows == std::vector<std::vector<std::string>>{{"sgd", "1000.0", "12000.0"}, {"adam", "2000.0", "-"}});
}

TEST_CASE("bench report helpers: running mean and trajectories cut at the plot's edge") {
  CHECK(tg::train::running_mean({1, 3, 5, 7}, 2) == std::vector<double>{1, 2, 4, 6});
  const auto bowl = tg::train::find_test_function("bowl");  // plot x in [-10, 10], y in [-5, 5]
  tg::train::RaceRun run{.optimizer = "sgd", .trajectory = {{-7, 2}, {-7, -4}, {-7, 6}, {-7, -18}}};
  const auto series = tg::train::trajectory_in_plot(bowl, run);
  CHECK(series.name == "sgd");
  CHECK(series.y == std::vector<double>{2, -4, 6});  // up to and including the first point outside
}

TEST_CASE("bench step cost: a positive median time, and first-order optimizers only") {
  const auto cost = tg::train::measure_step_cost("adam", 10000, 3);
  CHECK(cost.optimizer == "adam");
  CHECK(cost.parameters == 10000);
  CHECK(cost.median_seconds > 0);
  CHECK_THROWS_WITH(tg::train::measure_step_cost("lbfgs", 10000, 3),
                    "bench --step-cost: 'lbfgs' is not a first-order optimizer (it needs step(closure)); step cost "
                    "measures optimizers that update from a filled gradient");
}
