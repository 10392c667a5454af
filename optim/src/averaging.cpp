#include "tapegrad/optim/averaging.hpp"

#include <algorithm>

#include "kernel_util.hpp"
#include "tapegrad/parallel_for.hpp"
#include "state_checks.hpp"
#include "tapegrad/tensor_iteration.hpp"

namespace tg::optim {

template <class T>
void ema_update(std::span<T> average, std::span<const T> x, double decay) {
  detail::check_lengths("ema_update", average.size(), {x.size()});
  const T keep = static_cast<T>(decay), take = static_cast<T>(1 - decay);
  T* __restrict ap = average.data();
  const T* __restrict xp = x.data();
  parallel_for(static_cast<std::int64_t>(average.size()), kGrainElements, [&](std::int64_t begin, std::int64_t end) {
#pragma omp simd
    for (std::int64_t i = begin; i < end; ++i) ap[i] = keep * ap[i] + take * xp[i];
  });
}
template void ema_update<float>(std::span<float>, std::span<const float>, double);
template void ema_update<double>(std::span<double>, std::span<const double>, double);

ParameterAveraging::ParameterAveraging(std::vector<Tensor> params, double decay)
    : ParameterAveraging(std::move(params), decay, false) {}

ParameterAveraging ParameterAveraging::polyak(std::vector<Tensor> params) {
  return ParameterAveraging(std::move(params), 0.0, true);
}

ParameterAveraging::ParameterAveraging(std::vector<Tensor> params, double decay, bool polyak)
    : params_(std::move(params)), decay_(decay), polyak_(polyak) {
  TG_CHECK(polyak || (decay > 0 && decay < 1), "ParameterAveraging: decay must be in (0, 1), got {}", decay);
  TG_CHECK(!params_.empty(), "ParameterAveraging: no parameters");
  for (std::size_t i = 0; i < params_.size(); ++i) {
    TG_CHECK(params_[i].defined() && is_floating(params_[i].dtype()),
             "ParameterAveraging: parameter {} must be a defined f32 or f64 tensor", i);
    averages_.push_back(params_[i].detach().clone());
  }
}

void ParameterAveraging::update() {
  TG_CHECK(!swapped_in_, "ParameterAveraging: update() while the averages are swapped in; swap them out first");
  ++updates_;
  // Polyak: the mean of updates_ + 1 values (the initial one included).
  const double decay = polyak_ ? static_cast<double>(updates_) / static_cast<double>(updates_ + 1) : decay_;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const Tensor x = params_[i].detach().contiguous();
    dispatch_floating(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      ema_update<T>({averages_[i].data<T>(), static_cast<std::size_t>(x.numel())},
                    {x.data<T>(), static_cast<std::size_t>(x.numel())}, decay);
    });
    averages_[i].bump_version();
  }
}

void ParameterAveraging::swap() {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const Tensor& p = params_[i];
    const Tensor& a = averages_[i];
    if (p.is_contiguous()) {
      dispatch_floating(p.dtype(), [&](auto zero) {
        using T = decltype(zero);
        T* __restrict pp = p.data<T>();
        T* __restrict ap = a.data<T>();
        parallel_for(p.numel(), kGrainElements, [&](std::int64_t begin, std::int64_t end) {
          std::swap_ranges(pp + begin, pp + end, ap + begin);
        });
      });
    } else {
      const Tensor values = p.detach().clone();
      copy_elements(p, a);
      copy_elements(a, values);
    }
    p.bump_version();
    a.bump_version();
  }
  swapped_in_ = !swapped_in_;
}

AveragedParameters ParameterAveraging::swap_in() {
  TG_CHECK(!swapped_in_, "ParameterAveraging: the averages are already swapped in");
  return AveragedParameters(*this);
}

AveragedParameters::AveragedParameters(ParameterAveraging& averaging) : averaging_(&averaging) { averaging_->swap(); }

AveragedParameters::~AveragedParameters() { averaging_->swap(); }

StateDict ParameterAveraging::state_dict() const {
  StateDict dict;
  dict["updates"] = state_scalar(static_cast<double>(updates_));
  for (std::size_t i = 0; i < averages_.size(); ++i) dict[fmt::format("average.{}", i)] = averages_[i].clone();
  return dict;
}

void ParameterAveraging::load_state_dict(const StateDict& dict) {
  TG_CHECK(!swapped_in_, "ParameterAveraging: load_state_dict while the averages are swapped in");
  TG_CHECK(dict.size() == averages_.size() + 1, "ParameterAveraging: load_state_dict: expected {} entries, got {}",
           averages_.size() + 1, dict.size());
  const std::int64_t updates = detail::read_count("ParameterAveraging: load_state_dict", dict, "updates");
  std::vector<Tensor> averages;
  for (std::size_t i = 0; i < averages_.size(); ++i) {
    const auto it = dict.find(fmt::format("average.{}", i));
    TG_CHECK(it != dict.end() && it->second.shape() == averages_[i].shape() &&
                 it->second.dtype() == averages_[i].dtype(),
             "ParameterAveraging: load_state_dict: entry 'average.{}' is missing or has the wrong shape/dtype", i);
    averages.push_back(it->second.clone());
  }
  averages_ = std::move(averages);
  updates_ = updates;
}

}  // namespace tg::optim
