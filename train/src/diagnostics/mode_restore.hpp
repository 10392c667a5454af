#pragma once
// Restores a model's train/eval mode on exit: a diagnostic that runs the model in eval
// mode leaves it as it found it, even when it throws.
#include <tapegrad/nn/module.hpp>

namespace tg::train::detail {

class ModeRestore {
 public:
  explicit ModeRestore(nn::Module& model) : model_(model), training_(model.is_training()) {}
  ~ModeRestore() { model_.train(training_); }
  ModeRestore(const ModeRestore&) = delete;
  ModeRestore& operator=(const ModeRestore&) = delete;

 private:
  nn::Module& model_;
  bool training_;
};

}  // namespace tg::train::detail
