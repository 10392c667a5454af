#include "tapegrad/nn/batch_norm.hpp"

#include "tapegrad/autograd.hpp"
#include "tapegrad/nn/sync_batch_norm.hpp"
#include "tapegrad/ops/normalization.hpp"

namespace tg::nn {

BatchNorm::BatchNorm(std::int64_t num_features, const BatchNormOptions& options, int input_dims)
    : num_features_(num_features), options_(options), input_dims_(input_dims) {
  const char* kind = input_dims == 2 ? "BatchNorm1d" : "BatchNorm2d";
  TG_CHECK(num_features > 0, "{}: num_features must be positive, got {}", kind, num_features);
  TG_CHECK(options.eps > 0, "{}: eps must be positive, got {}", kind, options.eps);
  TG_CHECK(!options.momentum || (*options.momentum >= 0 && *options.momentum <= 1),
           "{}: momentum must be in [0, 1], got {} (std::nullopt gives the cumulative average)", kind,
           options.momentum.value_or(0));
  if (options.affine) {
    weight_ = register_parameter("weight", ones({num_features}));
    bias_ = register_parameter("bias", zeros({num_features}));
  }
  if (options.track_running_stats) {
    running_mean_ = register_buffer("running_mean", zeros({num_features}));
    running_var_ = register_buffer("running_var", ones({num_features}));
    num_batches_tracked_ = register_buffer("num_batches_tracked", zeros({}, i64));
  }
}

std::int64_t BatchNorm::num_batches_tracked() const {
  return num_batches_tracked_.defined() ? num_batches_tracked_.item<std::int64_t>() : 0;
}

Tensor BatchNorm::forward(const Tensor& x) {
  TG_CHECK(x.dim() == input_dims_, "{}: input has {} dims {}, expected {}", name(), x.dim(), x.shape().str(),
           input_dims_ == 2 ? "2 (N, C)" : "4 (N, C, H, W)");
  TG_CHECK(x.size(1) == num_features_, "{}: input {} has {} channels (dim 1), expected {}", name(), x.shape().str(),
           x.size(1), num_features_);
  // The op updates running_mean and running_var in place when training; without a
  // momentum this batch is number num_batches_tracked() + 1 of the cumulative average.
  const double momentum =
      options_.momentum ? *options_.momentum : 1.0 / static_cast<double>(num_batches_tracked() + 1);
  Tensor y = reducer_ && is_training()
                 ? synchronized_batch_norm(x, weight_, bias_, running_mean_, running_var_, momentum, options_.eps,
                                           reducer_)
                 : batch_norm(x, weight_, bias_, running_mean_, running_var_, is_training(), momentum, options_.eps);
  if (is_training() && num_batches_tracked_.defined()) {
    NoGradGuard no_grad;
    num_batches_tracked_.fill_(static_cast<double>(num_batches_tracked() + 1));
  }
  return y;
}

std::string BatchNorm::extra_repr() const {
  std::string out = fmt::format("{}, eps={}, momentum={}", num_features_, options_.eps,
                                options_.momentum ? fmt::format("{}", *options_.momentum) : std::string("none"));
  if (!options_.affine) out += ", affine=false";
  if (!options_.track_running_stats) out += ", track_running_stats=false";
  if (reducer_) out += ", synchronized";
  return out;
}

std::size_t set_batch_norm_synchronization(Module& root, const std::shared_ptr<SumAcrossProcesses>& reducer) {
  std::size_t count = 0;
  root.apply([&](Module& m) {
    if (auto* bn = dynamic_cast<BatchNorm*>(&m)) {
      bn->set_synchronization(reducer);
      ++count;
    }
  });
  return count;
}

}  // namespace tg::nn
