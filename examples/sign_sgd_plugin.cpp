// An optimizer plug-in: signSGD (x -= lr * sign(dx)), written against the public API
// and built as a shared module. `tapegrad train --plugin libsign_sgd_plugin.so
// --optimizer sign_sgd` loads it; its registration runs when the module is loaded.
#include <tapegrad/optim/optim.hpp>

namespace {

namespace optim = tg::optim;

class SignSgd final : public optim::FirstOrderOptimizer {
 public:
  static std::vector<optim::OptionSpec> options() {
    return optim::with_first_order_options(
        {optim::number_option("lr", 1e-3, "step per coordinate", optim::at_least(0))});
  }
  SignSgd(std::vector<optim::ParamGroup> groups, const optim::Options& options)
      : FirstOrderOptimizer("sign_sgd", SignSgd::options(), std::move(groups), options) {
    declare_state({});  // no per-parameter state: load_state_dict refuses any
  }

 protected:
  void update(const optim::ParamGroup& group, const optim::GradientTransform& transform, const tg::Tensor& param,
              const tg::Tensor& grad, optim::ParamState&) override {
    if (param.dtype() == tg::f32)
      step<float>(group.options.number("lr"), transform.scale, param, grad);
    else
      step<double>(group.options.number("lr"), transform.scale, param, grad);
  }

 private:
  template <class T>
  static void step(double lr, double scale, const tg::Tensor& param, const tg::Tensor& grad) {
    const auto x = optim::mutable_span<T>(param);
    const auto dx = optim::const_span<T>(grad);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double g = scale * static_cast<double>(dx[i]);
      x[i] -= static_cast<T>(lr * static_cast<double>((g > 0) - (g < 0)));
    }
  }
};

TAPEGRAD_REGISTER_OPTIMIZER(SignSgd, "sign_sgd", "signSGD: x -= lr * sign(dx) (a plug-in)");

}  // namespace
