// One training step (zero_grad, forward, cross-entropy, backward, optimizer step) of the
// reference models (reference_models.hpp) on random data, as steps/s, GFLOP/s and % of
// this machine's FMA peak, on 1 and 2 threads and the adaptive default, idle and under
// a competing process.
#include "reference_models.hpp"
#include "train_step_loop.hpp"

namespace {

void train_step(benchmark::State& state, tg::bench::Model kind) {
  tg::bench::ReferenceStep step = tg::bench::reference_step(kind);
  tg::bench::run_train_steps(state, *step.optimizer, [&] { return step.loss(); }, step.work.flops_per_step);
}

void mlp_train_step(benchmark::State& state) { train_step(state, tg::bench::Model::mlp); }
void cnn_train_step(benchmark::State& state) { train_step(state, tg::bench::Model::cnn); }
void cnn_bn_train_step(benchmark::State& state) { train_step(state, tg::bench::Model::cnn_bn); }

BENCHMARK(mlp_train_step)->Apply(tg::bench::apply_thread_and_load_args)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(cnn_train_step)->Apply(tg::bench::apply_thread_and_load_args)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(cnn_bn_train_step)->Apply(tg::bench::apply_thread_and_load_args)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
