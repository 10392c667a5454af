#include "tapegrad/optim/line_search.hpp"

#include <algorithm>
#include <cmath>

#include "flat_vector.hpp"

namespace tg::optim {

using detail::dot;

double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2, double lo, double hi) {
  // Nocedal & Wright eq. 3.59.
  const double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  const double d2_square = d1 * d1 - g1 * g2;
  if (d2_square >= 0) {
    const double d2 = std::sqrt(d2_square);
    const double min_pos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                                    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    return std::min(std::max(min_pos, lo), hi);
  }
  return (lo + hi) / 2;
}

LineSearchResult strong_wolfe(const DirectionalObjective& objective, double t, std::span<const double> d, double f,
                              std::span<const double> grad, double gtd, const StrongWolfeOptions& options) {
  double d_norm = 0;
  for (double v : d) d_norm = std::max(d_norm, std::fabs(v));
  const std::vector<double> g0(grad.begin(), grad.end());

  std::vector<double> g_new;
  double f_new = objective(t, g_new);
  int evaluations = 1;
  double gtd_new = dot(g_new, d);

  // Bracketing phase: find an interval containing a point that satisfies both conditions.
  double t_prev = 0, f_prev = f, gtd_prev = gtd;
  std::vector<double> g_prev = g0;
  bool done = false;
  int iteration = 0;
  double bracket[2] = {0, 0}, bracket_f[2] = {0, 0}, bracket_gtd[2] = {0, 0};
  std::vector<double> bracket_g[2];
  int bracket_size = 0;
  while (iteration < options.max_evaluations) {
    const auto bracket_last_two = [&] {
      bracket[0] = t_prev, bracket[1] = t;
      bracket_f[0] = f_prev, bracket_f[1] = f_new;
      bracket_g[0] = g_prev, bracket_g[1] = g_new;
      bracket_gtd[0] = gtd_prev, bracket_gtd[1] = gtd_new;
      bracket_size = 2;
    };
    if (f_new > f + options.c1 * t * gtd || (iteration > 1 && f_new >= f_prev)) {
      bracket_last_two();
      break;
    }
    if (std::fabs(gtd_new) <= -options.c2 * gtd) {
      bracket[0] = t, bracket_f[0] = f_new, bracket_g[0] = g_new;
      bracket_size = 1;
      done = true;
      break;
    }
    if (gtd_new >= 0) {  // past a minimizer
      bracket_last_two();
      break;
    }
    // Extrapolate: a step between 1.01x the last increase and 10x the current step.
    const double min_step = t + 0.01 * (t - t_prev), max_step = t * 10;
    const double previous = t;
    t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, min_step, max_step);
    t_prev = previous, f_prev = f_new, g_prev = g_new, gtd_prev = gtd_new;
    f_new = objective(t, g_new);
    ++evaluations;
    gtd_new = dot(g_new, d);
    ++iteration;
  }
  if (iteration == options.max_evaluations) {  // no bracket found: keep the better end
    bracket[0] = 0, bracket[1] = t;
    bracket_f[0] = f, bracket_f[1] = f_new;
    bracket_g[0] = g0, bracket_g[1] = g_new;
    bracket_size = 2;
  }

  // Zoom phase: shrink the bracket until a point satisfies the strong Wolfe conditions.
  bool insufficient_progress = false;
  int low = bracket_f[0] <= bracket_f[bracket_size - 1] ? 0 : 1, high = 1 - low;
  while (!done && iteration < options.max_evaluations) {
    if (std::fabs(bracket[1] - bracket[0]) * d_norm < options.tolerance_change) break;
    const double lo = std::min(bracket[0], bracket[1]), hi = std::max(bracket[0], bracket[1]);
    t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1], lo, hi);
    // Safeguard: a point too close to an end of the bracket makes little progress; after
    // two such steps in a row (or one on the boundary) move it 10% of the width inside.
    const double margin = 0.1 * (hi - lo);
    if (std::min(hi - t, t - lo) < margin) {
      if (insufficient_progress || t >= hi || t <= lo) {
        t = std::fabs(t - hi) < std::fabs(t - lo) ? hi - margin : lo + margin;
        insufficient_progress = false;
      } else {
        insufficient_progress = true;
      }
    } else {
      insufficient_progress = false;
    }
    f_new = objective(t, g_new);
    ++evaluations;
    gtd_new = dot(g_new, d);
    ++iteration;
    if (f_new > f + options.c1 * t * gtd || f_new >= bracket_f[low]) {
      bracket[high] = t, bracket_f[high] = f_new, bracket_g[high] = g_new, bracket_gtd[high] = gtd_new;
      low = bracket_f[0] <= bracket_f[1] ? 0 : 1;
      high = 1 - low;
    } else {
      if (std::fabs(gtd_new) <= -options.c2 * gtd) {
        done = true;
      } else if (gtd_new * (bracket[high] - bracket[low]) >= 0) {
        bracket[high] = bracket[low], bracket_f[high] = bracket_f[low];
        bracket_g[high] = bracket_g[low], bracket_gtd[high] = bracket_gtd[low];
      }
      bracket[low] = t, bracket_f[low] = f_new, bracket_g[low] = g_new, bracket_gtd[low] = gtd_new;
    }
  }
  if (bracket_size == 1) low = 0;
  return {bracket[low], bracket_f[low], std::move(bracket_g[low]), evaluations};
}

}  // namespace tg::optim
