#pragma once
// The loops of the classification losses and of l2_penalty. scores / log_probs are
// [N, C] (strided), labels i64 [N] (strided, every label in [0, C): the op checks).
// Per-example losses come back in double; the op reduces them.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "tapegrad/tensor.hpp"

namespace tg::kernels {

// How the negative log-likelihood weighs classes and rows: label smoothing s, class
// weights w (empty: all 1) and an ignored label (rows with that label count 0).
struct NllSpec {
  double smoothing = 0;
  std::span<const double> class_weights = {};
  std::optional<std::int64_t> ignore_index = std::nullopt;
};

// Negative log-likelihood with label smoothing s over C classes, class weights w:
//   loss_i = -((1 - s) w[y_i] lp[i, y_i] + (s / C) sum_j w[j] lp[i, j]),  0 for an ignored row.
std::vector<double> nll_rows(const Tensor& log_probs, const Tensor& labels, const NllSpec& spec);
// The divisor of the mean: sum of w[y_i] over the rows not ignored (their count without weights).
double nll_total_weight(const Tensor& labels, const NllSpec& spec);
// w (contiguous [N, C]) = scale_i d loss_i / d lp[i, j]: -(s / C) w[j] scale_i, plus
// -(1 - s) w[y_i] scale_i at j = y_i; 0 on an ignored row.
void nll_weights(const Tensor& labels, const NllSpec& spec, const std::vector<double>& scale, const Tensor& w);

// Multiclass hinge (Weston-Watkins): loss_i = sum over j != y_i of max(0, s_ij - s_iy_i + margin).
std::vector<double> hinge_rows(const Tensor& scores, const Tensor& labels, double margin);
// w (contiguous [N, C]) = scale_i d loss_i / d s[i, j]: scale_i where the margin of j is
// violated, -(number of violations) scale_i at j = y_i, 0 elsewhere.
void hinge_weights(const Tensor& scores, const Tensor& labels, double margin, const std::vector<double>& scale,
                   const Tensor& w);

}  // namespace tg::kernels
