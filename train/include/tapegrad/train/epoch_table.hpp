#pragma once
// The epoch table `tapegrad train` prints: a header when the run begins and one row per
// epoch (train loss and accuracy, validation loss and accuracy, the averaged model's
// validation accuracy when averaging is on, lr, time, samples per second, and a * on the
// best epoch so far). Regression runs (no class labels) show losses only.
#include <cstdio>

#include <tapegrad/train/callback.hpp>

namespace tg::train {

class EpochTable : public Callback {
 public:
  explicit EpochTable(std::FILE* out) : out_(out) {}
  void on_train_begin(const RunInfo& run) override;
  void on_epoch_end(EpochContext& context) override;

  // The same lines, for printing a table from saved records.
  static std::string header(bool classification, bool averaging);
  static std::string row(const EpochRecord& record, bool classification, bool averaging);

 private:
  std::FILE* out_;
  bool classification_ = true, averaging_ = false;
};

}  // namespace tg::train
