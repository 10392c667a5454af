#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include "tapegrad/nn/cross_process.hpp"
#include "tapegrad/nn/module.hpp"

namespace tg::nn {

struct BatchNormOptions {
  double eps = 1e-5;
  // running = (1 - momentum) running + momentum batch. std::nullopt: the cumulative
  // average of every batch seen (PyTorch's momentum = None), momentum 1 / k at the k-th
  // training batch, k counted by "num_batches_tracked":
  //   running_k = running_{k-1} + (batch_k - running_{k-1}) / k.
  std::optional<double> momentum = 0.1;
  bool affine = true;     // learnable scale "weight" (gamma = 1) and shift "bias" (beta = 0)
  bool track_running_stats = true;
};

// Batch normalization (Ioffe & Szegedy 2015; docs/formulas.md, Regularization), per channel C.
// Training normalizes with the batch mean and (biased) variance and updates the
// buffers "running_mean" (0), "running_var" (1, updated with the unbiased batch
// variance, PyTorch's convention) and "num_batches_tracked" (i64, counts training
// forwards). Eval normalizes with the running statistics; without them
// (track_running_stats = false) with the batch's, as in training.
//
// Synchronized (set_synchronization with a reducer, e.g. the MPI one of
// tapegrad/dist/sync_batch_norm.hpp): training takes the statistics over the batches of
// every process (synchronized_batch_norm, tapegrad/nn/sync_batch_norm.hpp), so every
// process must run the layer's training forwards (and backwards) together. Eval never
// communicates: the running statistics, or without them this process's batch (processes
// may evaluate different numbers of batches). Without a reducer (the default) each
// process normalizes with its own batch, as PyTorch's BatchNorm does.
class BatchNorm : public Module {
 public:
  const Tensor& weight() const { return weight_; }  // undefined without affine
  const Tensor& bias() const { return bias_; }
  const Tensor& running_mean() const { return running_mean_; }  // undefined without tracking
  const Tensor& running_var() const { return running_var_; }
  std::int64_t num_batches_tracked() const;
  std::int64_t num_features() const { return num_features_; }
  const BatchNormOptions& options() const { return options_; }
  // null: per-process statistics.
  void set_synchronization(std::shared_ptr<SumAcrossProcesses> reducer) { reducer_ = std::move(reducer); }
  const std::shared_ptr<SumAcrossProcesses>& synchronization() const { return reducer_; }

  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

 protected:
  BatchNorm(std::int64_t num_features, const BatchNormOptions& options, int input_dims);

 private:
  std::int64_t num_features_;
  BatchNormOptions options_;
  int input_dims_;
  Tensor weight_, bias_, running_mean_, running_var_, num_batches_tracked_;
  std::shared_ptr<SumAcrossProcesses> reducer_;
};

// Over [N, C].
class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(std::int64_t num_features, const BatchNormOptions& options = {})
      : BatchNorm(num_features, options, 2) {}
  std::string type_name() const override { return "BatchNorm1d"; }
};

// Over [N, C, H, W] (statistics over N, H and W).
class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(std::int64_t num_features, const BatchNormOptions& options = {})
      : BatchNorm(num_features, options, 4) {}
  std::string type_name() const override { return "BatchNorm2d"; }
};

// Sets reducer (null: per-process statistics again) on every BatchNorm1d and BatchNorm2d
// of the tree under root, root included; returns how many it set.
std::size_t set_batch_norm_synchronization(Module& root, const std::shared_ptr<SumAcrossProcesses>& reducer);

}  // namespace tg::nn
