#pragma once
// The training progress line. On a terminal it is one bar redrawn in place (at most
// ten times a second); on a pipe or file (CI logs) it prints a line at each quarter of
// an epoch (or of a task) instead, so logs stay readable.
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>

#include <tapegrad/train/callback.hpp>

namespace tg::train {

// Progress of any other long task: "<task> [=====>    ] done/total <detail>".
struct TaskProgress {
  std::string task{};
  std::int64_t done = 0, total = 0;  // done is 1-based
  std::string detail{};
};

// As a training callback it shows each batch's progress and is erased at each epoch's end
// (add it before an EpochTable, so the row prints on a clean line).
class ProgressBar : public Callback {
 public:
  explicit ProgressBar(std::FILE* out);
  void update(const BatchProgress& progress);
  void update(const TaskProgress& progress);
  // Erases the bar (terminal only), so that the next line starts clean.
  void clear();

  void on_batch(const BatchProgress& progress) override { update(progress); }
  void on_epoch_end(EpochContext& /*context*/) override { clear(); }
  void on_train_end(const TrainResult& /*result*/) override { clear(); }

 private:
  static std::string render(const BatchProgress& progress, int width);
  static std::string render(const TaskProgress& progress, int width);
  void show(std::int64_t done, std::int64_t total, const std::function<std::string(int width)>& render_line);
  std::FILE* out_;
  bool terminal_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
  std::int64_t last_quarter_ = 0;
};

}  // namespace tg::train
