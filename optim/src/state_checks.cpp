#include "state_checks.hpp"

#include <cmath>

namespace tg::optim::detail {

double scalar_value(const std::string& who, const std::string& key, const Tensor& value) {
  TG_CHECK(value.defined() && value.numel() == 1 && value.dtype() == f64,
           "{}: entry '{}' must be a one-element f64 tensor, got {} of shape {}", who, key,
           value.defined() ? dtype_name(value.dtype()) : "undefined", value.defined() ? value.shape().str() : "-");
  return value.item();
}

double read_scalar(const std::string& who, const StateDict& dict, const std::string& key) {
  const auto it = dict.find(key);
  TG_CHECK(it != dict.end(), "{}: missing entry '{}'", who, key);
  return scalar_value(who, key, it->second);
}

std::int64_t checked_count(const std::string& who, const std::string& key, double value, std::int64_t min) {
  TG_CHECK(value >= static_cast<double>(min) && value <= static_cast<double>(max_state_count) &&
               value == std::trunc(value),
           "{}: entry '{}' must be an integer in [{}, {}], got {}", who, key, min, max_state_count, value);
  return static_cast<std::int64_t>(value);
}

std::int64_t read_count(const std::string& who, const StateDict& dict, const std::string& key, std::int64_t min) {
  return checked_count(who, key, read_scalar(who, dict, key), min);
}

}  // namespace tg::optim::detail
