#pragma once
// Reductions over all elements or over axes: sum, mean, max, min, argmax, argmin, var,
// std_dev, logsumexp. Negative axes count from the end; keepdim keeps each reduced axis
// with size 1.
#include <cstdint>
#include <vector>

#include "tapegrad/tensor.hpp"

namespace tg {

Tensor sum(const Tensor& x);
Tensor sum(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim = false);
Tensor mean(const Tensor& x);
Tensor mean(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim = false);
// Sums x down to `shape` (the inverse of broadcasting; used by backward rules).
Tensor sum_to(const Tensor& x, const Shape& shape);

// The largest (smallest) element, over all elements or over axes. The gradient goes
// to the elements equal to the result, split evenly among ties (as PyTorch's amax and
// amin), so max and min have kinks where the top two elements cross. Reducing over an
// empty axis is an error.
Tensor max(const Tensor& x);
Tensor max(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim = false);
Tensor min(const Tensor& x);
Tensor min(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim = false);
// One dim: sum(x, 1) is sum(x, {1}) (DimIndex: tapegrad/tensor.hpp).
template <DimIndex I> Tensor sum(const Tensor& x, I axis, bool keepdim = false) { return sum(x, std::vector<std::int64_t>{static_cast<std::int64_t>(axis)}, keepdim); }
template <DimIndex I> Tensor mean(const Tensor& x, I axis, bool keepdim = false) { return mean(x, std::vector<std::int64_t>{static_cast<std::int64_t>(axis)}, keepdim); }
template <DimIndex I> Tensor max(const Tensor& x, I axis, bool keepdim = false) { return max(x, std::vector<std::int64_t>{static_cast<std::int64_t>(axis)}, keepdim); }
template <DimIndex I> Tensor min(const Tensor& x, I axis, bool keepdim = false) { return min(x, std::vector<std::int64_t>{static_cast<std::int64_t>(axis)}, keepdim); }

// Index (i64) of the largest (smallest) element along axis, the first one on ties (a
// NaN counts as the extreme). Not differentiable: the result never requires grad.
// Without an axis: the index into the tensor flattened in row-major order, shape [].
Tensor argmax(const Tensor& x, std::int64_t axis, bool keepdim = false);
Tensor argmax(const Tensor& x);
Tensor argmin(const Tensor& x, std::int64_t axis, bool keepdim = false);
Tensor argmin(const Tensor& x);

// Variance sum((x - mean)^2) / (count - correction) over axes (empty: all elements).
// correction = 1, the default, is the unbiased (Bessel) estimate, as in PyTorch; 0 is
// the population variance. count <= correction is an error. std_dev = sqrt(var)
// (named so to stay clear of namespace std).
Tensor var(const Tensor& x, const std::vector<std::int64_t>& axes = {}, bool keepdim = false,
           double correction = 1);
Tensor std_dev(const Tensor& x, const std::vector<std::int64_t>& axes = {}, bool keepdim = false,
               double correction = 1);

// log(sum(exp(x))), computed as m + log(sum(exp(x - m))) with m the max, so large
// inputs do not overflow. Its gradient is softmax(x) along the reduced axes.
Tensor logsumexp(const Tensor& x);
Tensor logsumexp(const Tensor& x, const std::vector<std::int64_t>& axes, bool keepdim = false);

}  // namespace tg
