#include <tapegrad/train/race/bench_tables.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace tg::train {

namespace {

std::string lr_text(const RaceRun& run) {
  return fmt::format("{:.3g}{}", run.lr, run.lr_tuned ? " (tuned)" : "");
}

std::string final_loss_text(const RaceRun& run) {
  return run.diverged ? std::string("diverged") : fmt::format("{:.3e}", run.final_loss);
}

std::string parameters_text(std::int64_t n) {
  if (n % 1'000'000 == 0) return fmt::format("{}M", n / 1'000'000);
  if (n % 1'000 == 0) return fmt::format("{}k", n / 1'000);
  return std::to_string(n);
}

// Sizes in first-seen order.
std::vector<std::int64_t> sizes_of(const std::vector<StepCost>& costs) {
  std::vector<std::int64_t> sizes;
  for (const StepCost& c : costs)
    if (std::find(sizes.begin(), sizes.end(), c.parameters) == sizes.end()) sizes.push_back(c.parameters);
  return sizes;
}

// A number JSON can hold: non-finite values become null.
nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

report::Table function_race_table(const TestFunction& f, const std::vector<RaceRun>& runs,
                                  const RaceSettings& settings) {
  const std::string goal = f.minimum ? fmt::format("f - f_min < {:g}", settings.tolerance)
                                     : fmt::format("f < {:g} (escaped)", f.escape_loss);
  report::Table table{.title = fmt::format("{}: {} from ({:g}, {:g}), {} steps", f.name, f.formula, f.start.x,
                                           f.start.y, settings.steps),
                      .header = {"optimizer", "lr", "iterations to " + goal, "final loss", "µs/step"}};
  for (const RaceRun& run : runs)
    table.rows.push_back({run.optimizer, lr_text(run),
                          run.iterations_to_tolerance ? std::to_string(*run.iterations_to_tolerance) : "-",
                          final_loss_text(run), fmt::format("{:.1f}", run.seconds_per_step * 1e6)});
  return table;
}

report::Table fashion_race_table(const std::vector<FashionRun>& runs, const FashionRaceSettings& settings) {
  report::Table table{
      .title = fmt::format("Fashion-MNIST, {} after {} iterations of batch {} (seed {})", settings.model,
                           settings.iterations, settings.batch_size, settings.seed),
      .header = {"optimizer", "lr",
                 fmt::format("train loss (last {})", std::min(settings.final_loss_window, settings.iterations)),
                 "test loss",
                 "test accuracy", "ms/iteration"}};
  for (const FashionRun& run : runs)
    table.rows.push_back({run.optimizer, fmt::format("{:.3g}", run.lr), fmt::format("{:.4f}", run.final_loss),
                          fmt::format("{:.4f}", run.test.loss), fmt::format("{:.4f}", run.test.accuracy),
                          fmt::format("{:.2f}", run.seconds_per_step * 1e3)});
  return table;
}

report::Table step_cost_table(const std::vector<StepCost>& costs) {
  const std::vector<std::int64_t> sizes = sizes_of(costs);
  report::Table table{.title = "Step cost: µs per step (median), f32 parameters with a filled gradient",
                      .header = {"optimizer"}};
  for (std::int64_t n : sizes) table.header.push_back(parameters_text(n) + " params");
  for (const StepCost& c : costs) {
    auto row = std::find_if(table.rows.begin(), table.rows.end(), [&](const auto& r) { return r[0] == c.optimizer; });
    if (row == table.rows.end()) {
      table.rows.push_back(std::vector<std::string>(sizes.size() + 1, "-"));
      row = table.rows.end() - 1;
      (*row)[0] = c.optimizer;
    }
    const auto column = std::find(sizes.begin(), sizes.end(), c.parameters) - sizes.begin();
    (*row)[static_cast<std::size_t>(column) + 1] = fmt::format("{:.1f}", c.median_seconds * 1e6);
  }
  return table;
}

std::string text_table(const report::Table& table) {
  std::vector<std::size_t> widths(table.header.size(), 0);
  // Display width: count UTF-8 code points ("µs"), not bytes.
  const auto width_of = [](const std::string& s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
  };
  const auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], width_of(row[i]));
  };
  measure(table.header);
  for (const auto& row : table.rows) measure(row);
  const auto line = [&](const std::vector<std::string>& row) {
    std::string out;
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      const std::string pad(widths[i] - width_of(row[i]), ' ');
      out += i == 0 ? row[i] + pad : "  " + pad + row[i];  // names left, numbers right
    }
    return out + "\n";
  };
  std::string out = table.title + "\n" + line(table.header);
  for (const auto& row : table.rows) out += line(row);
  return out;
}

nlohmann::json to_json(const TestFunction& f, const std::vector<RaceRun>& runs) {
  nlohmann::json list = nlohmann::json::array();
  for (const RaceRun& run : runs)
    list.push_back({{"optimizer", run.optimizer},
                    {"lr", run.lr},
                    {"lr_tuned", run.lr_tuned},
                    {"iterations_to_tolerance", run.iterations_to_tolerance ? nlohmann::json(*run.iterations_to_tolerance)
                                                                            : nlohmann::json(nullptr)},
                    {"final_loss", number(run.final_loss)},
                    {"diverged", run.diverged},
                    {"microseconds_per_step", run.seconds_per_step * 1e6}});
  return {{"function", f.name}, {"formula", f.formula}, {"runs", list}};
}

nlohmann::json to_json(const std::vector<FashionRun>& runs) {
  nlohmann::json list = nlohmann::json::array();
  for (const FashionRun& run : runs)
    list.push_back({{"optimizer", run.optimizer},
                    {"lr", run.lr},
                    {"final_train_loss", number(run.final_loss)},
                    {"test_loss", number(run.test.loss)},
                    {"test_accuracy", run.test.accuracy},
                    {"milliseconds_per_iteration", run.seconds_per_step * 1e3}});
  return list;
}

nlohmann::json to_json(const std::vector<StepCost>& costs) {
  nlohmann::json list = nlohmann::json::array();
  for (const StepCost& c : costs)
    list.push_back({{"optimizer", c.optimizer},
                    {"parameters", c.parameters},
                    {"microseconds_per_step", c.median_seconds * 1e6}});
  return list;
}

}  // namespace tg::train
