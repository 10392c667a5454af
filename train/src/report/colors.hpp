#pragma once
// Colours that stay distinguishable for colour-blind readers.
#include <cstddef>
#include <string>

namespace tg::train::report::detail {

// Series colour i: the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design")
// without its yellow, which is unreadable on white; it repeats after 7.
std::string series_color(std::size_t i);
// Series after the first 7 repeat the colours with a dash pattern: "" or stroke-dasharray="...".
std::string series_dash(std::size_t i);

// A sequential colour map (viridis, matplotlib's default) at t in [0, 1], as "#rrggbb".
std::string sequential_color(double t);

}  // namespace tg::train::report::detail
