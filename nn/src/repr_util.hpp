#pragma once
// Text for extra_repr(): "3" when both sizes agree, "(3, 5)" otherwise.
#include <fmt/format.h>

#include <string>

#include "tapegrad/ops/size2d.hpp"

namespace tg::nn {

inline std::string size_text(Size2d s) {
  return s.h == s.w ? fmt::format("{}", s.h) : fmt::format("({}, {})", s.h, s.w);
}

}  // namespace tg::nn
