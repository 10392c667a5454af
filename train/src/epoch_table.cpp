#include <tapegrad/train/epoch_table.hpp>

#include <fmt/format.h>

namespace tg::train {

std::string EpochTable::header(bool classification, bool averaging) {
  const std::string accuracies = classification ? fmt::format("  {:>9}", "train acc") : "";
  const std::string validation = classification ? fmt::format("  {:>7}", "val acc") : "";
  const std::string averaged = averaging ? (classification ? "  avg acc" : "  avg loss") : "";
  return fmt::format("{:>5}  {:>10}{}  {:>8}{}{}  {:>8}  {:>8}  {:>6}\n", "epoch", "train loss", accuracies, "val loss",
                     validation, averaged, "lr", "time", "img/s");
}

std::string EpochTable::row(const EpochRecord& e, bool classification, bool averaging) {
  const std::string accuracies = classification ? fmt::format("  {:>9.4f}", e.train_accuracy) : "";
  const std::string validation = classification ? fmt::format("  {:>7.4f}", e.validation.accuracy) : "";
  std::string averaged;
  if (averaging && e.averaged_validation)
    averaged = classification ? fmt::format("  {:>7.4f}", e.averaged_validation->accuracy)
                              : fmt::format("  {:>8.4g}", e.averaged_validation->loss);
  return fmt::format("{:>5}  {:>10.4f}{}  {:>8.4f}{}{}  {:>8.2e}  {:>6.1f} s  {:>6.0f}  {}\n", e.epoch, e.train_loss,
                     accuracies, e.validation.loss, validation, averaged, e.lr, e.seconds, e.samples_per_second,
                     e.best ? "*" : "");
}

void EpochTable::on_train_begin(const RunInfo& run) {
  classification_ = run.classification;
  averaging_ = run.averaging;
  if (run.first_epoch > 1) fmt::print(out_, "resuming after epoch {} of {}\n", run.first_epoch - 1, run.epochs);
  fmt::print(out_, "{}", header(classification_, averaging_));
  std::fflush(out_);
}

void EpochTable::on_epoch_end(EpochContext& context) {
  fmt::print(out_, "{}", row(context.record, classification_, averaging_));
  std::fflush(out_);
}

}  // namespace tg::train
