// One training step of the reference CNN (shared/bench/torch_reference.py `cnn`):
// conv(1->32,3x3,pad 1)+ReLU+maxpool 2, conv(32->64,3x3,pad 1)+ReLU+maxpool 2,
// flatten, linear(3136->128)+ReLU, linear(128->10), cross-entropy, SGD momentum 0.9
// (PyTorch's form: v = 0.9 v + g; x -= lr v), batch 64 of 1x28x28. Reported as
// steps/s so it compares with PyTorch's figure directly.
#include "train_step_loop.hpp"

namespace {

struct Cnn {
  explicit Cnn(tg::Generator& gen) {
    auto he = [&](tg::Shape shape, double fan_in) {
      return (tg::randn(shape, tg::f32, &gen) * std::sqrt(2.0 / fan_in)).detach().requires_grad_();
    };
    conv1_w = he({32, 1, 3, 3}, 9);
    conv1_b = tg::zeros({32}).requires_grad_();
    conv2_w = he({64, 32, 3, 3}, 288);
    conv2_b = tg::zeros({64}).requires_grad_();
    fc1_w = he({128, 3136}, 3136);
    fc1_b = tg::zeros({128}).requires_grad_();
    fc2_w = he({10, 128}, 128);
    fc2_b = tg::zeros({10}).requires_grad_();
  }
  std::vector<tg::Tensor> parameters() const {
    return {conv1_w, conv1_b, conv2_w, conv2_b, fc1_w, fc1_b, fc2_w, fc2_b};
  }
  tg::Tensor forward(const tg::Tensor& x) const {
    tg::Conv2dOptions same;
    same.padding = 1;
    tg::Tensor h = tg::max_pool2d(tg::relu(tg::conv2d(x, conv1_w, conv1_b, same)), 2);
    h = tg::max_pool2d(tg::relu(tg::conv2d(h, conv2_w, conv2_b, same)), 2);
    h = tg::reshape(h, {h.size(0), -1});
    h = tg::relu(tg::linear(h, fc1_w, fc1_b));
    return tg::linear(h, fc2_w, fc2_b);
  }
  tg::Tensor conv1_w, conv1_b, conv2_w, conv2_b, fc1_w, fc1_b, fc2_w, fc2_b;
};

void cnn_train_step(benchmark::State& state) {
  tg::Generator gen(0);
  Cnn model(gen);
  const tg::Tensor images = tg::randn({64, 1, 28, 28}, tg::f32, &gen);
  const tg::Tensor labels = (tg::rand({64}, tg::f64, &gen) * 10.0).to(tg::i64);
  auto optimizer = tg::optim::create("momentum", model.parameters(),
                                     {{"lr", 0.01}, {"momentum", 0.9}, {"rho_form", true}});
  tg::bench::run_train_steps(state, *optimizer, [&] { return tg::cross_entropy(model.forward(images), labels); });
}

BENCHMARK(cnn_train_step)->Apply(tg::bench::apply_thread_and_load_args)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
