#pragma once
// Step cost: the time of one optimizer step over a large f32 parameter whose gradient
// is filled, so that the number is the update's own cost (memory traffic and arithmetic),
// without a model's forward and backward.
#include <cstdint>
#include <string>

namespace tg::apps {

struct StepCost {
  std::string optimizer{};
  std::int64_t parameters = 0;
  double median_seconds = 0;  // over the timed repeats, after one untimed warm-up step
};

// An error unless optimizer is first-order: step cost needs an update from a filled
// gradient, which L-BFGS and newton (step(closure) only) do not have.
void check_step_cost_optimizer(const std::string& optimizer);

// A first-order optimizer with its default options over one f32 tensor of `parameters`
// elements with a random gradient (seeded).
StepCost measure_step_cost(const std::string& optimizer, std::int64_t parameters, int repeats,
                           std::uint64_t seed = 0);

}  // namespace tg::apps
