#pragma once
// Plain SGD (x -= lr * dx) whose lr must be > 0, as a plug-in author may well declare it:
// a schedule that takes lr down to 0 would make set_lr refuse the rate mid-run. The test
// plug-in positive_lr_plugin.cpp registers it; test_train_schedule.cpp makes it directly.
#include <tapegrad/optim/optim.hpp>

namespace tg::test {

class PositiveLrSgd final : public optim::FirstOrderOptimizer {
 public:
  static std::vector<optim::OptionSpec> options() {
    return optim::with_first_order_options(
        {optim::number_option("lr", 0.01, "learning rate", optim::greater_than(0))});
  }
  PositiveLrSgd(std::vector<optim::ParamGroup> groups, const optim::Options& options)
      : FirstOrderOptimizer("positive_lr_sgd", PositiveLrSgd::options(), std::move(groups), options) {
    declare_state({});
  }

 protected:
  void update(const optim::ParamGroup& group, const optim::GradientTransform& transform, const Tensor& param,
              const Tensor& grad, optim::ParamState&) override {
    if (param.dtype() == f32)
      optim::sgd_update<float>(optim::mutable_span<float>(param), optim::const_span<float>(grad),
                               group.options.number("lr"), transform);
    else
      optim::sgd_update<double>(optim::mutable_span<double>(param), optim::const_span<double>(grad),
                                group.options.number("lr"), transform);
  }
};

}  // namespace tg::test
