#pragma once
// Parameter averaging for evaluation (docs/formulas.md): keep
//   x_test = decay*x_test + (1-decay)*x        (decay 0.995 by default)
// during training (an exponential moving average; or the plain Polyak mean of all
// iterates), and evaluate with x_test:
//   optim::ParameterAveraging average(model_params);
//   ... opt.step(); average.update(); ...
//   { auto guard = average.swap_in(); evaluate(); }  // parameters hold x_test in here
#include <cstdint>
#include <span>
#include <vector>

#include "tapegrad/optim/optimizer.hpp"

namespace tg::optim {

// average = decay*average + (1-decay)*x, one pass, in place.
template <class T>
void ema_update(std::span<T> average, std::span<const T> x, double decay);

class AveragedParameters;

class ParameterAveraging {
 public:
  // Starts the averages at the parameters' current values.
  explicit ParameterAveraging(std::vector<Tensor> params, double decay = 0.995);
  // The running mean of every value seen: x_test += (x - x_test) / (n + 1).
  static ParameterAveraging polyak(std::vector<Tensor> params);

  void update();  // after each optimizer step
  const std::vector<Tensor>& params() const { return params_; }
  const std::vector<Tensor>& averages() const { return averages_; }
  std::int64_t updates() const { return updates_; }
  bool swapped_in() const { return swapped_in_; }

  // Exchanges each parameter's values with its average (both versions bumped); a second
  // call exchanges them back.
  void swap();
  // Swaps the averages in now and back when the guard goes out of scope.
  [[nodiscard]] AveragedParameters swap_in();

  StateDict state_dict() const;  // "updates", "average.<i>"
  void load_state_dict(const StateDict& dict);

 private:
  ParameterAveraging(std::vector<Tensor> params, double decay, bool polyak);
  std::vector<Tensor> params_, averages_;
  double decay_;
  bool polyak_;
  std::int64_t updates_ = 0;
  bool swapped_in_ = false;
};

class AveragedParameters {
 public:
  explicit AveragedParameters(ParameterAveraging& averaging);
  ~AveragedParameters();
  AveragedParameters(const AveragedParameters&) = delete;
  AveragedParameters& operator=(const AveragedParameters&) = delete;

 private:
  ParameterAveraging* averaging_;
};

}  // namespace tg::optim
