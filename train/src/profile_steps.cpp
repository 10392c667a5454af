#include "tapegrad/train/profile_steps.hpp"

#include <fmt/format.h>

#include "tapegrad/error.hpp"

namespace tg::train {

ProfileSteps::ProfileSteps(std::int64_t first, std::int64_t count, std::FILE* out)
    : first_(first), count_(count), out_(out) {
  TG_CHECK(first >= 1, "ProfileSteps: the first profiled step is {}, expected >= 1 (steps count from 1)", first);
  TG_CHECK(count >= 1, "ProfileSteps: {} steps to profile, expected >= 1", count);
}

void ProfileSteps::on_train_begin(const RunInfo&) {
  if (first_ == 1) profiler_ = std::make_unique<Profiler>();
}

void ProfileSteps::after_step(const StepContext& context) {
  if (profiler_) {
    profiler_->step();
    if (context.step >= first_ + count_ - 1) finish();
  } else if (context.step == first_ - 1 && !report_) {
    profiler_ = std::make_unique<Profiler>();
  }
}

void ProfileSteps::on_train_end(const TrainResult&) {
  finish();  // a run shorter than the range
  if (out_ && report_)
    fmt::print(out_, "\ntime per training step (steps {} to {}, this thread):\n{}", first_,
               first_ + report_->steps - 1, report_->table());
}

void ProfileSteps::finish() {
  if (!profiler_) return;
  report_ = profiler_->stop();
  profiler_.reset();
}

}  // namespace tg::train
