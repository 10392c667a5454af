// One training step of the reference MLP (shared/bench/torch_reference.py `mlp`):
// 784-256-128-10 with ReLU, cross-entropy, Adam lr 1e-3, batch 128 of random data.
#include "train_step_loop.hpp"

namespace {

void mlp_train_step(benchmark::State& state) {
  tg::Generator gen(0);
  auto he = [&](tg::Shape shape, double fan_in) {
    return (tg::randn(shape, tg::f32, &gen) * std::sqrt(2.0 / fan_in)).detach().requires_grad_();
  };
  const tg::Tensor w1 = he({256, 784}, 784), b1 = tg::zeros({256}).requires_grad_();
  const tg::Tensor w2 = he({128, 256}, 256), b2 = tg::zeros({128}).requires_grad_();
  const tg::Tensor w3 = he({10, 128}, 128), b3 = tg::zeros({10}).requires_grad_();
  const tg::Tensor inputs = tg::randn({128, 784}, tg::f32, &gen);
  const tg::Tensor labels = (tg::rand({128}, tg::f64, &gen) * 10.0).to(tg::i64);
  auto optimizer = tg::optim::create("adam", {w1, b1, w2, b2, w3, b3}, {{"lr", 1e-3}});
  tg::bench::run_train_steps(state, *optimizer, [&] {
    tg::Tensor h = tg::relu(tg::linear(inputs, w1, b1));
    h = tg::relu(tg::linear(h, w2, b2));
    return tg::cross_entropy(tg::linear(h, w3, b3), labels);
  });
}

BENCHMARK(mlp_train_step)->Apply(tg::bench::apply_thread_and_load_args)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
