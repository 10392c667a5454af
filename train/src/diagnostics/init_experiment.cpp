#include <tapegrad/train/diagnostics/init_experiment.hpp>

#include <cmath>

#include <tapegrad/autograd.hpp>
#include <tapegrad/nn/activations.hpp>
#include <tapegrad/nn/init.hpp>
#include <tapegrad/nn/linear.hpp>
#include <tapegrad/random.hpp>

namespace tg::train {

std::string_view activation_name(Activation activation) {
  switch (activation) {
    case Activation::sigmoid: return "sigmoid";
    case Activation::tanh: return "tanh";
    default: return "relu";
  }
}

std::string_view init_scheme_name(InitScheme scheme) {
  switch (scheme) {
    case InitScheme::normal_1: return "std 1";
    case InitScheme::normal_0_01: return "std 0.01";
    case InitScheme::xavier: return "xavier";
    default: return "he";
  }
}

ActivationStats activation_stats(const Tensor& activations, Activation activation) {
  const auto v = activations.to_vector<double>();
  TG_CHECK(!v.empty(), "activation_stats: the tensor is empty ({})", activations.shape().str());
  const double n = static_cast<double>(v.size());
  ActivationStats s;
  double saturated = 0, zero = 0;
  for (double a : v) {
    s.mean += a;
    if (a == 0) ++zero;
    if ((activation == Activation::sigmoid && (a < 0.01 || a > 0.99)) ||
        (activation == Activation::tanh && std::abs(a) > 0.99))
      ++saturated;
  }
  s.mean /= n;
  double squares = 0;
  for (double a : v) squares += (a - s.mean) * (a - s.mean);
  s.std = std::sqrt(squares / n);
  s.saturated_fraction = saturated / n;
  s.zero_fraction = zero / n;
  return s;
}

namespace {

void initialize(const Tensor& weight, InitScheme scheme, Generator& gen) {
  switch (scheme) {
    case InitScheme::normal_1: nn::normal_(weight, 1.0, &gen); break;
    case InitScheme::normal_0_01: nn::normal_(weight, 0.01, &gen); break;
    case InitScheme::xavier: nn::xavier_normal_(weight, &gen, nn::FanMode::in); break;
    case InitScheme::he: nn::kaiming_normal_(weight, &gen, nn::FanMode::in); break;
  }
}

nn::ModulePtr make_activation(Activation activation) {
  switch (activation) {
    case Activation::sigmoid: return std::make_shared<nn::Sigmoid>();
    case Activation::tanh: return std::make_shared<nn::Tanh>();
    default: return std::make_shared<nn::ReLU>();
  }
}

}  // namespace

std::vector<Tensor> init_experiment_activations(const InitExperiment& e) {
  TG_CHECK(e.layers > 0 && e.units > 0 && e.inputs > 0,
           "run_init_experiment: layers, units and inputs must be positive, got {}, {}, {}", e.layers, e.units,
           e.inputs);
  NoGradGuard no_grad;
  Generator gen(e.seed);
  Tensor h = randn({e.inputs, e.units}, f32, &gen);
  const nn::ModulePtr activation = make_activation(e.activation);
  std::vector<Tensor> out;
  for (int layer = 0; layer < e.layers; ++layer) {
    nn::Linear linear(e.units, e.units, false, &gen);
    initialize(linear.weight(), e.init, gen);
    h = activation->forward(linear(h));
    out.push_back(h);
  }
  return out;
}

std::vector<ActivationStats> run_init_experiment(const InitExperiment& e) {
  std::vector<ActivationStats> out;
  for (const Tensor& h : init_experiment_activations(e)) out.push_back(activation_stats(h, e.activation));
  return out;
}

}  // namespace tg::train
