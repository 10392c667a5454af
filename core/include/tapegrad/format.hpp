#pragma once
// Printing: fmt::format("{}", tensor), std::cout << tensor and to_string(tensor) show
// dtype, shape and values, plus grad information when there is any. As NumPy's
// printoptions: a tensor of at most threshold elements is printed in full; above it,
// each dim longer than 2 * edgeitems shows its first and last edgeitems entries
// around "...".
#include <fmt/format.h>

#include <cstdint>
#include <iosfwd>
#include <string>

#include "tapegrad/tensor.hpp"

namespace tg {

struct PrintOptions {
  std::int64_t threshold = 1000;  // more elements than this: abridge (>= 0)
  std::int64_t edgeitems = 3;     // entries kept at each end of an abridged dim (>= 1)
  int precision = 6;              // significant digits of floating values (1 to 17)
};
// Process-wide, like numpy.set_printoptions; throws on a value out of its range.
void set_print_options(const PrintOptions& options);
PrintOptions print_options();

std::string to_string(const Tensor& t);
std::ostream& operator<<(std::ostream& out, const Tensor& t);

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
