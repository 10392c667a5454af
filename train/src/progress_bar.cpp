#include <tapegrad/train/progress_bar.hpp>

#include <fmt/format.h>
#include <unistd.h>

namespace tg::train {

ProgressBar::ProgressBar(std::FILE* out) : out_(out), terminal_(isatty(fileno(out)) != 0) {}

namespace {

// "[=====>    ] done/total"
std::string bar(std::int64_t done, std::int64_t total, int width) {
  const double fraction = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  const int filled = static_cast<int>(fraction * width);
  std::string bar(static_cast<std::size_t>(filled), '=');
  if (filled < width) bar += '>';
  bar.resize(static_cast<std::size_t>(width), ' ');
  return fmt::format("[{}] {:>{}}/{}", bar, done, fmt::formatted_size("{}", total), total);
}

}  // namespace

std::string ProgressBar::render(const BatchProgress& p, int width) {
  return fmt::format("epoch {}/{} {} loss {:.4f} acc {:.4f} {:.0f} samples/s", p.epoch, p.epochs,
                     bar(p.batch, p.batches, width), p.loss, p.accuracy, p.samples_per_second);
}

std::string ProgressBar::render(const TaskProgress& p, int width) {
  return fmt::format("{} {} {}", p.task, bar(p.done, p.total, width), p.detail);
}

void ProgressBar::update(const BatchProgress& p) {
  show(p.batch, p.batches, [&](int width) { return render(p, width); });
}

void ProgressBar::update(const TaskProgress& p) {
  show(p.done, p.total, [&](int width) { return render(p, width); });
}

void ProgressBar::show(std::int64_t done, std::int64_t total, const std::function<std::string(int)>& render_line) {
  if (!terminal_) {
    const std::int64_t quarter = total > 0 ? 4 * done / total : 4;
    if (done == 1) last_quarter_ = 0;
    if (quarter > last_quarter_ && quarter < 4) fmt::print(out_, "{}\n", render_line(20));
    last_quarter_ = quarter;
    std::fflush(out_);
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (done != total && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  fmt::print(out_, "\r\033[K{}", render_line(30));
  std::fflush(out_);
  shown_ = true;
}

void ProgressBar::clear() {
  if (terminal_ && shown_) fmt::print(out_, "\r\033[K");
  shown_ = false;
  std::fflush(out_);
}

}  // namespace tg::train
