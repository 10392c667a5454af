#include "progress_bar.hpp"

#include <fmt/format.h>
#include <unistd.h>

namespace tg::apps {

ProgressBar::ProgressBar(std::FILE* out) : out_(out), terminal_(isatty(fileno(out)) != 0) {}

std::string ProgressBar::render(const BatchProgress& p, int width) {
  const double done = p.batches > 0 ? static_cast<double>(p.batch) / static_cast<double>(p.batches) : 1.0;
  const int filled = static_cast<int>(done * width);
  std::string bar(static_cast<std::size_t>(filled), '=');
  if (filled < width) bar += '>';
  bar.resize(static_cast<std::size_t>(width), ' ');
  return fmt::format("epoch {}/{} [{}] {:>{}}/{} loss {:.4f} acc {:.4f} {:.0f} samples/s", p.epoch, p.epochs, bar,
                     p.batch, fmt::formatted_size("{}", p.batches), p.batches, p.loss, p.accuracy,
                     p.samples_per_second);
}

void ProgressBar::update(const BatchProgress& p) {
  if (!terminal_) {
    const std::int64_t quarter = p.batches > 0 ? 4 * p.batch / p.batches : 4;
    if (p.batch == 1) last_quarter_ = 0;
    if (quarter > last_quarter_ && quarter < 4) fmt::print(out_, "{}\n", render(p, 20));
    last_quarter_ = quarter;
    std::fflush(out_);
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (p.batch != p.batches && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  fmt::print(out_, "\r\033[K{}", render(p, 30));
  std::fflush(out_);
  shown_ = true;
}

void ProgressBar::clear() {
  if (terminal_ && shown_) fmt::print(out_, "\r\033[K");
  shown_ = false;
  std::fflush(out_);
}

}  // namespace tg::apps
