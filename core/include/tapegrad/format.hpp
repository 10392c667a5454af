#pragma once
// fmt support: fmt::format("{}", tensor) shows dtype, shape and values (abridged like
// NumPy when a dimension is long), plus grad information when there is any.
#include <fmt/format.h>

#include <string>

#include "tapegrad/tensor.hpp"

namespace tg {
std::string to_string(const Tensor& t);
}  // namespace tg

template <>
struct fmt::formatter<tg::Tensor> : fmt::formatter<std::string> {
  auto format(const tg::Tensor& t, fmt::format_context& ctx) const {
    return fmt::formatter<std::string>::format(tg::to_string(t), ctx);
  }
};

template <>
struct fmt::formatter<tg::Shape> : fmt::formatter<std::string> {
  auto format(const tg::Shape& s, fmt::format_context& ctx) const {
    return fmt::formatter<std::string>::format(s.str(), ctx);
  }
};
