#include <tapegrad/train/race/bench_report.hpp>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tg::train {

namespace {

constexpr std::size_t kLossSmoothingWindow = 20;

bool inside(const PlotRectangle& r, Point p) {
  return p.x >= r.x_min && p.x <= r.x_max && p.y >= r.y_min && p.y <= r.y_max;
}

}  // namespace

std::vector<double> running_mean(const std::vector<double>& values, std::size_t window) {
  std::vector<double> means;
  double sum = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    sum += values[i];
    if (i >= window) sum -= values[i - window];
    means.push_back(sum / static_cast<double>(std::min(i + 1, window)));
  }
  return means;
}

std::string bench_intro(const std::vector<std::string>& optimizers, std::uint64_t seed,
                        const LrSearch* function_lrs) {
  std::string text = fmt::format("Optimizers: {}. Seed {}.", fmt::join(optimizers, ", "), seed);
  if (function_lrs)
    text += fmt::format(" On the test functions, learning rates marked (tuned) were picked from {} log-spaced values "
                        "in [{:g}, {:g}], {} steps each, by the lowest final loss; on the saddle (unbounded below) "
                        "every optimizer without --lr uses lr {:g}.",
                        function_lrs->points, function_lrs->min, function_lrs->max, function_lrs->steps,
                        function_lrs->unbounded_lr);
  return text;
}

report::Series trajectory_in_plot(const TestFunction& f, const RaceRun& run) {
  report::Series series{.name = run.optimizer};
  for (const Point& p : run.trajectory) {
    series.x.push_back(p.x);
    series.y.push_back(p.y);
    if (!inside(f.plot, p)) break;
  }
  return series;
}

namespace {
// How many of the path's points lie in the plot: all, or all but the last (the one it leaves by).
std::size_t points_inside(const TestFunction& f, const report::Series& path) {
  const bool left = !path.x.empty() && !inside(f.plot, {path.x.back(), path.y.back()});
  return path.x.size() - (left ? 1 : 0);
}
}  // namespace

void add_function_race(report::Report& report, const TestFunction& f, const std::vector<RaceRun>& runs,
                       const report::Table& table) {
  report.heading(fmt::format("{}: {}", f.name, f.formula));
  report::ContourPlot contour{.title = fmt::format("{} from ({:g}, {:g})", f.name, f.start.x, f.start.y),
                              .f = [f](double x, double y) { return f.value(x, y); },
                              .x_min = f.plot.x_min,
                              .x_max = f.plot.x_max,
                              .y_min = f.plot.y_min,
                              .y_max = f.plot.y_max,
                              .log_levels = f.minimum.has_value()};
  report::LinePlot loss{.title = fmt::format("{}: {} against iteration", f.name, f.minimum ? "f - f_min" : "f"),
                        .x_label = "iteration",
                        .y_label = f.minimum ? "f - f_min" : "f",
                        .log_y = f.minimum.has_value()};
  for (const RaceRun& run : runs) {
    report::Series path = trajectory_in_plot(f, run);
    report::Series curve{.name = run.optimizer};
    if (f.minimum)
      for (double value : run.loss) curve.y.push_back(value - *f.minimum);
    else  // unbounded below: the curve ends at the path's last point inside the plot; the point
          // it leaves by may already be at -1e18 (L-BFGS's first step), which would flatten the rest
      curve.y.assign(run.loss.begin(),
                     run.loss.begin() + static_cast<std::ptrdiff_t>(points_inside(f, path)));
    contour.trajectories.push_back(std::move(path));
    loss.series.push_back(std::move(curve));
  }
  report.add(contour);
  report.add(loss);
  report.add(table);
}

void add_fashion_race(report::Report& report, const std::vector<FashionRun>& runs, const report::Table& table) {
  report.heading("Fashion-MNIST");
  report::LinePlot plot{
      .title = fmt::format("minibatch loss (running mean over {} iterations)", kLossSmoothingWindow),
      .x_label = "iteration",
      .y_label = "cross-entropy",
      .log_y = true};
  for (const FashionRun& run : runs)
    plot.series.push_back({.name = run.optimizer, .y = running_mean(run.loss, kLossSmoothingWindow)});
  report.add(plot);
  report.add(table);
}

void add_step_cost(report::Report& report, const report::Table& table) {
  report.heading("Step cost");
  report.add(table);
}

}  // namespace tg::train
