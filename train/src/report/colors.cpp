#include "report/colors.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace tg::train::report::detail {

namespace {

constexpr std::array<const char*, 7> okabe_ito = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                  "#E69F00", "#56B4E9", "#000000"};
constexpr std::array<const char*, 4> dashes = {"", "7 4", "1.5 3", "8 3 1.5 3"};

// viridis sampled at t = 0, 0.1, ..., 1 (matplotlib _cm_listed.py); linear in between.
constexpr std::array<std::array<int, 3>, 11> viridis = {{{68, 1, 84},
                                                          {72, 36, 117},
                                                          {65, 68, 135},
                                                          {53, 95, 141},
                                                          {42, 120, 142},
                                                          {33, 145, 140},
                                                          {34, 168, 132},
                                                          {68, 191, 112},
                                                          {122, 209, 81},
                                                          {189, 223, 38},
                                                          {253, 231, 37}}};

}  // namespace

std::string series_color(std::size_t i) { return okabe_ito[i % okabe_ito.size()]; }

std::string series_dash(std::size_t i) {
  const char* dash = dashes[i % dashes.size()];
  return *dash ? fmt::format("stroke-dasharray=\"{}\"", dash) : std::string{};
}

std::string sequential_color(double t) {
  t = std::isfinite(t) ? std::clamp(t, 0.0, 1.0) : 0.0;
  const double position = t * static_cast<double>(viridis.size() - 1);
  const std::size_t below = std::min(static_cast<std::size_t>(position), viridis.size() - 2);
  const double fraction = position - static_cast<double>(below);
  std::array<int, 3> rgb{};
  for (std::size_t c = 0; c < 3; ++c)
    rgb[c] = static_cast<int>(std::lround(viridis[below][c] * (1 - fraction) + viridis[below + 1][c] * fraction));
  return fmt::format("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]);
}

}  // namespace tg::train::report::detail
