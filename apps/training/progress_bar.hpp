#pragma once
// The training progress line. On a terminal it is one bar redrawn in place (at most
// ten times a second); on a pipe or file (CI logs) it prints a line at each quarter of
// an epoch instead, so logs stay readable.
#include <chrono>
#include <cstdio>
#include <string>

#include "trainer.hpp"

namespace tg::apps {

class ProgressBar {
 public:
  explicit ProgressBar(std::FILE* out);
  void update(const BatchProgress& progress);
  // Erases the bar (terminal only), so that the next line starts clean.
  void clear();

 private:
  static std::string render(const BatchProgress& progress, int width);
  std::FILE* out_;
  bool terminal_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
  std::int64_t last_quarter_ = 0;
};

}  // namespace tg::apps
