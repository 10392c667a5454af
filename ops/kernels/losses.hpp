#pragma once
// The loops of the classification losses and of l2_penalty. scores / log_probs are
// [N, C] (strided), labels i64 [N] (strided, every label in [0, C): the op checks).
// Per-example losses come back in double; the op reduces them.
#include <vector>

#include "tapegrad/tensor.hpp"

namespace tg::kernels {

// Negative log-likelihood with label smoothing s over C classes:
//   loss_i = -((1 - s) lp[i, y_i] + (s / C) sum_j lp[i, j]).
std::vector<double> nll_rows(const Tensor& log_probs, const Tensor& labels, double smoothing);
// w (contiguous [N, C]) = scale_i d loss_i / d lp[i, j]: -(s / C) scale_i, and
// -(s / C + 1 - s) scale_i at j = y_i.
void nll_weights(const Tensor& labels, double smoothing, const std::vector<double>& scale, const Tensor& w);

// Multiclass hinge (Weston-Watkins): loss_i = sum over j != y_i of max(0, s_ij - s_iy_i + margin).
std::vector<double> hinge_rows(const Tensor& scores, const Tensor& labels, double margin);
// w (contiguous [N, C]) = scale_i d loss_i / d s[i, j]: scale_i where the margin of j is
// violated, -(number of violations) scale_i at j = y_i, 0 elsewhere.
void hinge_weights(const Tensor& scores, const Tensor& labels, double margin, const std::vector<double>& scale,
                   const Tensor& w);

}  // namespace tg::kernels
