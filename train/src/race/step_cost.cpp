#include <tapegrad/train/race/step_cost.hpp>

#include <chrono>
#include <vector>

#include <tapegrad/error.hpp>
#include <tapegrad/optim/registry.hpp>
#include <tapegrad/random.hpp>
#include <tapegrad/tensor.hpp>

#include <tapegrad/train/race/median.hpp>
#include <tapegrad/train/race/race.hpp>

namespace tg::train {

void StepCostSettings::validate() const {
  TG_CHECK(!sizes.empty(), "bench: --step-cost-sizes is empty");
  for (std::int64_t n : sizes) TG_CHECK(n >= 1, "bench: --step-cost-sizes must be positive, got {}", n);
  TG_CHECK(repeats >= 1, "bench: --step-cost-repeats must be at least 1, got {}", repeats);
}

void check_step_cost_optimizer(const std::string& optimizer) {
  TG_CHECK(is_first_order(optimizer),
           "bench --step-cost: '{}' is not a first-order optimizer (it needs step(closure)); step cost measures "
           "optimizers that update from a filled gradient",
           optimizer);
}

StepCost measure_step_cost(const std::string& optimizer, std::int64_t parameters, int repeats, std::uint64_t seed) {
  StepCostSettings{.sizes = {parameters}, .repeats = repeats}.validate();
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

std::vector<StepCost> measure_step_costs(const std::vector<std::string>& optimizers, const StepCostSettings& settings,
                                         const std::function<void(const StepCost&)>& on_measured) {
  settings.validate();
  for (const std::string& name : optimizers) check_step_cost_optimizer(name);
  std::vector<StepCost> costs;
  for (const std::string& name : optimizers)
    for (std::int64_t n : settings.sizes) {
      costs.push_back(measure_step_cost(name, n, settings.repeats, settings.seed));
      if (on_measured) on_measured(costs.back());
    }
  return costs;
}

}  // namespace tg::train
