#pragma once
// A gradient check of a whole model's training loss with respect to its parameters
// (`tapegrad train --gradcheck-every N`): at step N of training, a characteristic point
// rather than the initialization (CS231n, gradient checks).
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <tapegrad/gradcheck.hpp>
#include <tapegrad/nn/data/loader.hpp>
#include <tapegrad/nn/module.hpp>

#include <tapegrad/train/callback.hpp>
#include <tapegrad/train/evaluation.hpp>

namespace tg::train {

struct ModelGradcheckOptions {
  std::int64_t max_coords_per_parameter = 10;
  std::uint64_t seed = 0;  // the random stream (dropout masks) every evaluation replays
  double eps = 1e-6;
  // The loss checked (unset: cross-entropy for class labels, mean squared error for
  // regression targets, both on f64).
  LossFunction loss{};
};

// tg::nn::gradcheck_module of the loss (options.loss) of model(images) against labels
// with respect to every parameter that requires grad, in f64 on copies of the model's
// tensors (the model may be f32 or f64 and ends exactly as it began). The analytic side
// is the model's own backward, the numeric side centered differences of the loss; every
// evaluation replays the stream (options.seed), so a Dropout layer draws the same mask
// each time. The model stays in its train/eval mode; in train mode BatchNorm normalizes
// with the batch's statistics. The report names the parameters.
GradcheckReport gradcheck_loss(nn::Module& model, const Tensor& images, const Tensor& labels,
                               const ModelGradcheckOptions& options = {});

// The callback behind --gradcheck-every N: at steps N, 2N, 3N, ... (before the optimizer's
// step) runs gradcheck_loss on the training model, in its mode, on a fixed batch. The
// parameters, buffers, gradients and the random stream end as they began, so a run with
// the check trains exactly like one without. Each report goes to print.
class StepGradcheck : public Callback {
 public:
  using Print = std::function<void(const std::string&)>;
  StepGradcheck(std::int64_t every, nn::data::Batch batch, Print print = {}, ModelGradcheckOptions options = {});

  void before_step(const StepContext& context) override;
  const std::vector<std::pair<std::int64_t, GradcheckReport>>& reports() const { return reports_; }
  bool passed() const;  // no report worse than ok-with-kinks / kink-crossed

 private:
  std::int64_t every_;
  nn::data::Batch batch_;
  Print print_;
  ModelGradcheckOptions options_;
  std::vector<std::pair<std::int64_t, GradcheckReport>> reports_;
};

}  // namespace tg::train
