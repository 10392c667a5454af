#pragma once
// A gradient check of a whole model's training loss with respect to its parameters
// (`tapegrad train --gradcheck-every N`): at step N of training, a characteristic point
// rather than the initialization (MISSION.md section 1).
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <tapegrad/gradcheck.hpp>
#include <tapegrad/nn/data/loader.hpp>
#include <tapegrad/nn/models.hpp>
#include <tapegrad/nn/module.hpp>

#include <tapegrad/train/trainer.hpp>

namespace tg::train {

struct ModelGradcheckOptions {
  std::int64_t max_coords_per_parameter = 10;
  std::uint64_t seed = 0;  // the random stream (dropout masks) every evaluation replays
  double eps = 1e-6;
};

// tg::gradcheck of the mean cross-entropy of model(images) against labels with respect
// to every parameter, on an f64 model (see nn::Module::to). The analytic side is the
// model's own backward (tg::grad of the loss), the numeric side centered differences of
// the loss; every evaluation replays the stream (options.seed), so a Dropout layer
// draws the same mask each time. The model stays in its train/eval mode; in train mode
// BatchNorm normalizes with the batch's statistics, so the running statistics it
// updates on each evaluation do not enter the loss. The parameters end as they began.
GradcheckReport gradcheck_loss(nn::Module& model, const Tensor& images, const Tensor& labels,
                               const ModelGradcheckOptions& options = {});

// The hook behind --gradcheck-every N: at steps N, 2N, 3N, ... (before the optimizer's
// step) checks an f64 copy of the training model, made by name and loaded with its
// state, in the training model's mode, on a fixed batch; the training model, its
// gradients and the random stream are left alone. Each report goes to print.
class StepGradcheck {
 public:
  using Print = std::function<void(const std::string&)>;
  StepGradcheck(std::int64_t every, std::string model, nn::ModelOptions model_options, data::Batch batch,
                Print print = {}, ModelGradcheckOptions options = {});

  void before_step(const StepContext& context);
  const std::vector<std::pair<std::int64_t, GradcheckReport>>& reports() const { return reports_; }
  bool passed() const;  // no report worse than ok-with-kinks / kink-crossed

 private:
  std::int64_t every_;
  std::string model_;
  nn::ModelOptions model_options_;
  data::Batch batch_;
  Print print_;
  ModelGradcheckOptions options_;
  std::vector<std::pair<std::int64_t, GradcheckReport>> reports_;
};

}  // namespace tg::train
