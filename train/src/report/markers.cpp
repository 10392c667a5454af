#include "report/markers.hpp"

#include <fmt/format.h>

#include <array>

namespace tg::train::report::detail {

std::string marker_path(Marker marker, Point at, double size) {
  const double h = size / 2;
  const auto n = [](double value) { return number(value); };
  switch (marker) {
    case Marker::none: return {};
    case Marker::circle:  // two half-circle arcs
      return fmt::format("M{},{}a{},{} 0 1,0 {},0a{},{} 0 1,0 {},0z", n(at.x - h), n(at.y), n(h), n(h), n(size), n(h),
                         n(h), n(-size));
    case Marker::square: {
      const double s = 0.85 * h;  // a square looks larger than a circle of the same width
      return fmt::format("M{},{}h{}v{}h{}z", n(at.x - s), n(at.y - s), n(2 * s), n(2 * s), n(-2 * s));
    }
    case Marker::diamond:
      return fmt::format("M{},{}L{},{} {},{} {},{}z", n(at.x), n(at.y - 1.2 * h), n(at.x + h), n(at.y), n(at.x),
                         n(at.y + 1.2 * h), n(at.x - h), n(at.y));
    case Marker::up_triangle:
      return fmt::format("M{},{}L{},{} {},{}z", n(at.x), n(at.y - 1.1 * h), n(at.x + 1.1 * h), n(at.y + 0.8 * h),
                         n(at.x - 1.1 * h), n(at.y + 0.8 * h));
    case Marker::down_triangle:
      return fmt::format("M{},{}L{},{} {},{}z", n(at.x), n(at.y), n(at.x + h), n(at.y - size), n(at.x - h),
                         n(at.y - size));
  }
  return {};
}

Marker series_marker(std::size_t i) {
  constexpr std::array<Marker, 4> markers = {Marker::circle, Marker::square, Marker::diamond, Marker::up_triangle};
  return markers[i % markers.size()];
}

}  // namespace tg::train::report::detail
