#pragma once
// Losses. Classification losses take scores [N, C] (one row per example) and labels
// [N] of dtype i64 holding class indices in [0, C); a label out of range is an error.
#include <cstdint>
#include <optional>
#include <vector>

#include "tapegrad/tensor.hpp"

namespace tg {

// How per-example losses combine: none keeps them ([N] for classification losses,
// the input's shape for mse_loss), mean averages them, sum adds them.
enum class Reduction { none, mean, sum };

// Softmax cross-entropy: loss_i = -sum_j t_ij log_softmax(logits)_ij, with the target
// t = (1 - s) onehot(label_i) + s / C for label smoothing s in [0, 1] (PyTorch's
// semantics; s = 0 gives -log_softmax(logits)_{i, label_i}). Uniform scores over C
// classes give ln(C). Computed as nll_loss(log_softmax(logits, 1), ...).
Tensor cross_entropy(const Tensor& logits, const Tensor& labels, Reduction reduction = Reduction::mean,
                     double label_smoothing = 0);

// cross_entropy's options (PyTorch's torch.nn.functional.cross_entropy).
//   weight: [C], the logits' dtype, a rescaling per class (a constant: no gradient).
//   ignore_index: rows with this label contribute 0 and are left out of the mean.
//   reduction, label_smoothing: as above.
struct CrossEntropyOptions {
  Tensor weight = {};
  std::optional<std::int64_t> ignore_index = std::nullopt;
  Reduction reduction = Reduction::mean;
  double label_smoothing = 0;
};

// Softmax cross-entropy with options; target is either
//  - class indices, i64 [N] (each in [0, C) or equal to ignore_index):
//      loss_i = -(1 - s) w[y_i] lp[i, y_i] - (s / C) sum_j w[j] lp[i, j],  lp = log_softmax(logits),
//    0 for an ignored row; the mean divides by the sum of w[y_i] over the rows not
//    ignored (PyTorch's weighted mean). When every row is ignored that sum is 0: the
//    mean is NaN (0 / 0, as PyTorch) and the gradient is zero.
//  - probabilities, floating [N, C] like the logits (soft targets, differentiable too):
//      loss_i = -sum_j w[j] t_ij lp[i, j],  t = (1 - s) target + s / C;
//    the mean divides by N. ignore_index is an error with them.
// docs/formulas.md, Losses.
Tensor cross_entropy(const Tensor& logits, const Tensor& target, const CrossEntropyOptions& options);

// Negative log-likelihood of log-probabilities [N, C]: loss_i = -log_probs[i, label_i].
Tensor nll_loss(const Tensor& log_probs, const Tensor& labels, Reduction reduction = Reduction::mean);

// Multiclass SVM loss (Weston-Watkins, as in CS231n):
//   loss_i = sum_{j != label_i} max(0, scores_ij - scores_{i, label_i} + margin).
// Zero scores over C classes give C - 1 (margin 1). Has kinks where a margin term is 0;
// there the gradient takes the term as inactive.
Tensor svm_hinge_loss(const Tensor& scores, const Tensor& labels, double margin = 1,
                      Reduction reduction = Reduction::mean);

// Squared error (pred - target)^2 per element; pred and target must have one shape
// (no broadcasting). mean averages over all elements.
Tensor mse_loss(const Tensor& pred, const Tensor& target, Reduction reduction = Reduction::mean);

// Sum of the squares of every element of every parameter, without any factor: add
// 0.5 * lambda * l2_penalty(params) to the loss for CS231n's regularization (whose
// gradient is lambda * W, i.e. weight decay lambda), or lambda * l2_penalty(params)
// for the gradient 2 * lambda * W. A scalar of the parameters' dtype (f32 zero for an
// empty list); all parameters must share one floating dtype.
Tensor l2_penalty(const std::vector<Tensor>& params);

}  // namespace tg
