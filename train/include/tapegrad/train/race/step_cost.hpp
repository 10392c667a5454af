#pragma once
// Step cost: the time of one optimizer step over a large f32 parameter whose gradient
// is filled, so that the number is the update's own cost (memory traffic and arithmetic),
// without a model's forward and backward.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace tg::train {

struct StepCost {
  std::string optimizer{};
  std::int64_t parameters = 0;
  double median_seconds = 0;  // over the timed repeats, after one untimed warm-up step
};

struct StepCostSettings {
  std::vector<std::int64_t> sizes{1'000'000, 10'000'000};  // parameter counts
  int repeats = 5;                                         // timed steps per size
  std::uint64_t seed = 0;                                  // the parameter and gradient values

  void validate() const;
};

// An error unless optimizer is first-order: step cost needs an update from a filled
// gradient, which L-BFGS and newton (step(closure) only) do not have.
void check_step_cost_optimizer(const std::string& optimizer);

// A first-order optimizer with its default options over one f32 tensor of `parameters`
// elements with a random gradient (seeded).
StepCost measure_step_cost(const std::string& optimizer, std::int64_t parameters, int repeats,
                           std::uint64_t seed = 0);
// Every optimizer at every size, optimizer by optimizer; on_measured follows each one.
std::vector<StepCost> measure_step_costs(const std::vector<std::string>& optimizers, const StepCostSettings& settings,
                                         const std::function<void(const StepCost&)>& on_measured = {});

}  // namespace tg::train
