#pragma once
// The update-to-weight ratio of CS231n (lecture 6, babysitting the learning process): for each parameter,
//   ratio = ||lr * update|| / ||w|| = ||w_after - w_before|| / ||w_before||,
// healthy near 1e-3; much lower and the learning rate is probably too low, much higher
// and it is probably too high.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <tapegrad/tensor.hpp>

#include <tapegrad/train/callback.hpp>

namespace tg::train {

// ||after - before|| / ||before|| in double; nullopt when ||before|| is 0 (a bias at
// its zero initialization: the ratio is undefined).
std::optional<double> update_ratio(const Tensor& before, const Tensor& after);

enum class RatioHealth { healthy, too_small, too_large };
struct RatioBand {
  double low = 1e-4, high = 1e-2;  // a decade either side of 1e-3
};
RatioHealth classify_update_ratio(double ratio, const RatioBand& band = {});

struct ParameterRatios {
  std::string name;  // parameter_label: "1 BatchNorm2d.weight"
  std::vector<double> steps, ratios;  // one entry per sample (doubles: ready to plot)
  bool flagged = false;               // a warning was given
};

// Samples the ratio of every parameter at steps every, 2*every, ... (a before_step
// snapshot and an after_step comparison) and warns once per weight (a parameter of 2 or
// more dims) whose ratio leaves the band. Vectors are recorded but not flagged: biases
// start at zero, so their ratio is far above 1e-3 for hundreds of steps by construction.
// Late in a run whose schedule has brought the learning rate below a tenth of its value
// at the first sample, small ratios are by design and are not flagged either.
class UpdateRatioRecorder : public Callback {
 public:
  using Warn = std::function<void(const std::string&)>;
  explicit UpdateRatioRecorder(std::int64_t every, Warn warn = {}, RatioBand band = {});

  void before_step(const StepContext& context) override;
  void after_step(const StepContext& context) override;
  const std::vector<ParameterRatios>& parameters() const { return parameters_; }

 private:
  std::int64_t every_;
  Warn warn_;
  RatioBand band_;
  std::optional<double> first_lr_;
  std::vector<Tensor> before_;  // snapshots; empty when this step is not sampled
  std::vector<ParameterRatios> parameters_;
};

}  // namespace tg::train
