#include "step_cost.hpp"

#include <chrono>
#include <vector>

#include <tapegrad/error.hpp>
#include <tapegrad/optim/registry.hpp>
#include <tapegrad/random.hpp>
#include <tapegrad/tensor.hpp>

#include "median.hpp"
#include "race.hpp"

namespace tg::apps {

void check_step_cost_optimizer(const std::string& optimizer) {
  TG_CHECK(is_first_order(optimizer),
           "bench --step-cost: '{}' is not a first-order optimizer (it needs step(closure)); step cost measures "
           "optimizers that update from a filled gradient",
           optimizer);
}

StepCost measure_step_cost(const std::string& optimizer, std::int64_t parameters, int repeats, std::uint64_t seed) {
  TG_CHECK(parameters >= 1, "bench: step cost needs at least 1 parameter, got {}", parameters);
  TG_CHECK(repeats >= 1, "bench: --step-cost-repeats must be at least 1, got {}", repeats);
  check_step_cost_optimizer(optimizer);
  Generator gen(seed);
  Tensor param = randn({parameters}, f32, &gen).requires_grad_();
  param.set_grad(randn({parameters}, f32, &gen));
  const auto opt = optim::create(optimizer, std::vector<Tensor>{param});
  opt->step();  // allocates the optimizer's state
  std::vector<double> seconds;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    opt->step();
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return {optimizer, parameters, median(seconds)};
}

}  // namespace tg::apps
