#pragma once
// Colours that stay distinguishable for colour-blind readers.
#include <cstddef>
#include <string>

namespace tg::train::report::detail {

// Series colour i: the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design")
// without its yellow, which is unreadable on white; it repeats after 7.
std::string series_color(std::size_t i);
// Series i's dash pattern, "" (solid) or stroke-dasharray="...": solid, dashed, dotted,
// dash-dot, repeating every 4 series. Colour and dash repeat at different periods (7 and 4),
// so two series share both only 28 apart, and a line drawn over another of a different
// dash leaves the one below visible in its gaps.
std::string series_dash(std::size_t i);

// A sequential colour map (viridis, matplotlib's default) at t in [0, 1], as "#rrggbb".
std::string sequential_color(double t);

}  // namespace tg::train::report::detail
