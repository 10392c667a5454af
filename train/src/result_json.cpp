#include <tapegrad/train/result_json.hpp>

namespace tg::train {

nlohmann::json to_json(const TrainOptions& o) {
  return {{"optimizer", o.optimizer}, {"epochs", o.epochs},     {"batch_size", o.batch_size},
          {"seed", o.seed},           {"schedule", o.schedule}, {"tta_flip", o.test_time_flip}};
}

nlohmann::json to_json(const TrainResult& r) {
  nlohmann::json history = nlohmann::json::array();
  for (const EpochRecord& e : r.history) {
    nlohmann::json epoch = {{"epoch", e.epoch},
                            {"train_loss", e.train_loss},
                            {"train_accuracy", e.train_accuracy},
                            {"validation_loss", e.validation.loss},
                            {"validation_accuracy", e.validation.accuracy},
                            {"lr", e.lr},
                            {"seconds", e.seconds},
                            {"samples_per_second", e.samples_per_second}};
    if (e.averaged_validation) epoch["averaged_validation_accuracy"] = e.averaged_validation->accuracy;
    history.push_back(std::move(epoch));
  }
  nlohmann::json out = {{"parameters", r.parameters},
                        {"ranks", r.ranks},
                        {"seconds", r.seconds},
                        {"best_epoch", r.best_epoch},
                        {"best_validation_accuracy", r.best_validation_accuracy},
                        {"test_loss", r.test.loss},
                        {"test_accuracy", r.test.accuracy},
                        {"checkpoint", r.checkpoint},
                        {"checkpoints", r.checkpoints},
                        {"run_state", r.run_state},
                        {"history", history}};
  if (r.averaged_test) {
    out["averaged_test_accuracy"] = r.averaged_test->accuracy;
    out["averaged_test_loss"] = r.averaged_test->loss;
  }
  if (r.stopped_early) out["stopped_early"] = true;
  if (!r.not_initialized.empty()) out["not_initialized"] = r.not_initialized;
  return out;
}

nlohmann::json to_json(const std::vector<std::pair<std::int64_t, GradcheckReport>>& gradchecks) {
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& [step, r] : gradchecks)
    checks.push_back({{"step", step}, {"verdict", verdict_name(r.verdict)}, {"max_rel_error", r.max_rel_error}});
  return checks;
}

}  // namespace tg::train
