#include <tapegrad/train/search/trial_time_limit.hpp>

#include <algorithm>
#include <cmath>

#include <tapegrad/error.hpp>

namespace tg::train::search {

namespace {
constexpr double kMinimumSeconds = 300;
constexpr double kSecondsPerSample = 0.02;
constexpr double kTimesSlowest = 10;
constexpr double kFullTrainingSamples = 60000;
}  // namespace

double TrialTimeLimit::for_trial(const TrialSpec& spec, double slowest_finished) const {
  if (seconds > 0) return seconds;
  if (slowest_finished > 0) return std::max(kMinimumSeconds, kTimesSlowest * slowest_finished);
  const double samples = spec.train_limit > 0 ? static_cast<double>(spec.train_limit) : kFullTrainingSamples;
  return kMinimumSeconds + kSecondsPerSample * static_cast<double>(spec.epochs) * samples;
}

void TrialTimeLimit::validate() const {
  TG_CHECK(std::isfinite(seconds) && seconds >= 0,
           "search: --trial-timeout must be 0 (automatic) or a positive number of seconds, got {}", seconds);
}

}  // namespace tg::train::search
