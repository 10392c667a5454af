#pragma once
// Losses. Classification losses take scores [N, C] (one row per example) and labels
// [N] of dtype i64 holding class indices in [0, C); a label out of range is an error.
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
