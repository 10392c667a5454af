#pragma once
// A callback that profiles training steps with tg::Profiler (tapegrad/profiler.hpp):
// steps first .. first + count - 1 of the run (1-based), each from the end of the step
// before it to the end of its optimizer step, so the data loading between steps is in
// the table's "outside any op" row. The report is kept, and printed to `out` (when not
// null) at the end of the run.
//
//   trainer.add_callback(std::make_shared<tg::train::ProfileSteps>(20, 50, stdout));
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>

#include <tapegrad/profiler.hpp>
#include <tapegrad/train/callback.hpp>

namespace tg::train {

class ProfileSteps : public Callback {
 public:
  // first >= 1 (later steps leave the first ones, which create oneDNN primitives and
  // fill the memory pool, out of the figures); count >= 1.
  ProfileSteps(std::int64_t first, std::int64_t count, std::FILE* out = nullptr);
  void on_train_begin(const RunInfo& run) override;
  void after_step(const StepContext& context) override;
  void on_train_end(const TrainResult& result) override;

  // The report once the last profiled step has run (or the run ended inside the range).
  const std::optional<ProfileReport>& report() const { return report_; }

 private:
  void finish();
  std::int64_t first_, count_;
  std::FILE* out_;
  std::unique_ptr<Profiler> profiler_;
  std::optional<ProfileReport> report_;
};

}  // namespace tg::train
