// One training step (zero_grad, forward, cross-entropy, backward, optimizer step) of the
// reference models (reference_models.hpp) on random data, as steps/s, GFLOP/s and % of
// this machine's FMA peak, on 1 and 2 threads and the adaptive default, idle and under
// a competing process.
#include "reference_models.hpp"
#include "train_step_loop.hpp"

namespace {

void train_step(benchmark::State& state, tg::bench::Model kind, const std::string& optimizer_name,
                const tg::optim::Options& options) {
  tg::manual_seed(0);
  tg::Generator gen(0);
  const tg::bench::ModelWork work = tg::bench::reference_model(kind);
  const tg::Tensor inputs = tg::randn(work.input_shape, tg::f32, &gen);
  const tg::Tensor labels = (tg::rand({work.input_shape[0]}, tg::f64, &gen) * 10.0).to(tg::i64);
  work.model->train();
  auto optimizer = tg::optim::create(optimizer_name, work.model->parameters(), options);
  tg::bench::run_train_steps(
      state, *optimizer, [&] { return tg::cross_entropy((*work.model)(inputs), labels); }, work.flops_per_step);
}

void mlp_train_step(benchmark::State& state) {
  train_step(state, tg::bench::Model::mlp, "adam", {{"lr", 1e-3}});
}
void cnn_train_step(benchmark::State& state) {
  train_step(state, tg::bench::Model::cnn, "momentum", {{"lr", 0.01}, {"momentum", 0.9}, {"rho_form", true}});
}
void cnn_bn_train_step(benchmark::State& state) {
  train_step(state, tg::bench::Model::cnn_bn, "momentum", {{"lr", 0.01}, {"momentum", 0.9}, {"rho_form", true}});
}

BENCHMARK(mlp_train_step)->Apply(tg::bench::apply_thread_and_load_args)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(cnn_train_step)->Apply(tg::bench::apply_thread_and_load_args)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(cnn_bn_train_step)->Apply(tg::bench::apply_thread_and_load_args)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
