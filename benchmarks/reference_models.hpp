#pragma once
// The three reference models of the step benchmarks, built from tapegrad's modules as a
// user would, and the arithmetic of one training step of each:
// - mlp:    784-256-128-10 with ReLU, batch 128 (Adam).
// - cnn:    conv(1->32, 3x3, pad 1)+ReLU+maxpool 2, conv(32->64, 3x3, pad 1)+ReLU+maxpool 2,
//           flatten, linear(3136->128)+ReLU, linear(128->10), batch 64 of 1x28x28 (SGD momentum).
// - cnn_bn: the cnn with BatchNorm2d after each conv and Dropout(0.5) before the last linear.
// They are the models of the PyTorch reference script (shared bench `torch_reference.py`),
// so steps/s compare directly.
//
// FLOPs count the multiply-adds of convolutions and linear layers as 2 each, forward and
// backward (data and weights), as papers and profilers do; the gradient of the network's
// input is not computed, so the first layer has no backward-data pass. Elementwise work
// (ReLU, pooling, BatchNorm, the loss, the optimizer) is left out: it is memory traffic,
// a few percent of the FLOPs.
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include <tapegrad/nn/nn.hpp>
#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>

namespace tg::bench {

enum class Model { mlp, cnn, cnn_bn };

struct ModelWork {
  nn::ModulePtr model;
  Shape input_shape;      // one batch
  double flops_per_step;  // forward + backward, as above
};

inline double linear_flops(double batch, double in, double out) { return 2 * batch * in * out; }
inline double conv3x3_flops(double batch, double in_ch, double out_ch, double hw) {
  return 2 * batch * out_ch * hw * in_ch * 9;
}

inline ModelWork reference_model(Model kind) {
  using std::make_shared;
  auto net = make_shared<nn::Sequential>();
  if (kind == Model::mlp) {
    constexpr double b = 128;
    net->push_back(make_shared<nn::Linear>(784, 256));
    net->push_back(make_shared<nn::ReLU>());
    net->push_back(make_shared<nn::Linear>(256, 128));
    net->push_back(make_shared<nn::ReLU>());
    net->push_back(make_shared<nn::Linear>(128, 10));
    const double first = linear_flops(b, 784, 256), rest = linear_flops(b, 256, 128) + linear_flops(b, 128, 10);
    return {net, {128, 784}, 2 * first + 3 * rest};  // the first layer: forward + weights
  }
  const bool bn = kind == Model::cnn_bn;
  const Conv2dOptions same{.padding = 1};
  net->push_back(make_shared<nn::Conv2d>(1, 32, 3, same));
  if (bn) net->push_back(make_shared<nn::BatchNorm2d>(32));
  net->push_back(make_shared<nn::ReLU>());
  net->push_back(make_shared<nn::MaxPool2d>(2));
  net->push_back(make_shared<nn::Conv2d>(32, 64, 3, same));
  if (bn) net->push_back(make_shared<nn::BatchNorm2d>(64));
  net->push_back(make_shared<nn::ReLU>());
  net->push_back(make_shared<nn::MaxPool2d>(2));
  net->push_back(make_shared<nn::Flatten>());
  net->push_back(make_shared<nn::Linear>(3136, 128));
  net->push_back(make_shared<nn::ReLU>());
  if (bn) net->push_back(make_shared<nn::Dropout>(0.5));
  net->push_back(make_shared<nn::Linear>(128, 10));
  constexpr double b = 64;
  const double first = conv3x3_flops(b, 1, 32, 28 * 28);
  const double rest = conv3x3_flops(b, 32, 64, 14 * 14) + linear_flops(b, 3136, 128) + linear_flops(b, 128, 10);
  return {net, {64, 1, 28, 28}, 2 * first + 3 * rest};
}

// "mlp", "cnn" or "cnn_bn"; anything else is an error naming the program.
inline Model parse_model(const std::string& name, const std::string& program) {
  if (name == "mlp") return Model::mlp;
  if (name == "cnn") return Model::cnn;
  if (name == "cnn_bn") return Model::cnn_bn;
  throw std::invalid_argument(program + ": unknown model '" + name + "', expected mlp, cnn or cnn_bn");
}

// A reference model in training mode with one batch of random data (seed 0) and the
// optimizer of the reference script: Adam (lr 1e-3) for the mlp, SGD with momentum 0.9
// (lr 0.01, PyTorch's form) for the CNNs.
struct ReferenceStep {
  ModelWork work;
  Tensor inputs, labels;
  std::unique_ptr<optim::Optimizer> optimizer;

  Tensor loss() const { return cross_entropy((*work.model)(inputs), labels); }
  void run() {  // one training step
    optimizer->zero_grad();
    loss().backward();
    optimizer->step();
  }
};

inline ReferenceStep reference_step(Model kind) {
  manual_seed(0);
  Generator gen(0);
  ReferenceStep step{reference_model(kind), {}, {}, nullptr};
  step.inputs = randn(step.work.input_shape, f32, &gen);
  step.labels = (rand({step.work.input_shape[0]}, f64, &gen) * 10.0).to(i64);
  step.work.model->train();
  step.optimizer = kind == Model::mlp ? optim::create("adam", step.work.model->parameters(), {{"lr", 1e-3}})
                                      : optim::create("momentum", step.work.model->parameters(),
                                                      {{"lr", 0.01}, {"momentum", 0.9}, {"rho_form", true}});
  return step;
}

}  // namespace tg::bench
