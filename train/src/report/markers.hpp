#pragma once
// Point markers: shapes that tell series apart where colour alone cannot (overlapping
// points, colour-blind readers, grayscale prints).
#include <cstddef>
#include <string>

#include "report/svg_canvas.hpp"

namespace tg::train::report::detail {

enum class Marker { none, circle, square, diamond, up_triangle, down_triangle };

// SVG path data of the marker centred at `at`, about `size` pixels across
// (a down triangle: its tip at `at`, its base `size` above it, for a point clamped to an edge).
std::string marker_path(Marker marker, Point at, double size);

// Series marker i: circle, square, diamond, up triangle, repeating.
Marker series_marker(std::size_t i);

}  // namespace tg::train::report::detail
