#pragma once
// Reading scalars out of a state dict with the checks every load_state_dict shares:
// one-element f64 tensors, counts that are integers in range. Errors start with `who`
// (e.g. "adam: load_state_dict") and name the entry.
#include <cstdint>
#include <string>

#include "tapegrad/optim/optimizer.hpp"

namespace tg::optim::detail {

// The value of a one-element f64 tensor.
double scalar_value(const std::string& who, const std::string& key, const Tensor& value);
// The value of the one-element f64 entry called key (missing: an error).
double read_scalar(const std::string& who, const StateDict& dict, const std::string& key);
// A count: an integer in [min, max_state_count] (NaN, infinities, fractions and huge
// values would make the cast to an integer undefined).
std::int64_t checked_count(const std::string& who, const std::string& key, double value, std::int64_t min = 0);
std::int64_t read_count(const std::string& who, const StateDict& dict, const std::string& key,
                        std::int64_t min = 0);

}  // namespace tg::optim::detail
