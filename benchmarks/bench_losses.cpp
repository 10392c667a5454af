// Softmax and cross-entropy at classifier-head shapes: batch 64 x 10 classes
// (Fashion-MNIST) and batch 128 x 1000 classes. cross_entropy (log_softmax + nll_loss
// with a fused backward) is compared with the same loss composed from ops a user
// could write: -mean(sum(log_softmax(x) * onehot, 1)).
#include <benchmark/benchmark.h>

#include <tapegrad/tapegrad.hpp>
#include <tapegrad/ops/losses.hpp>
#include <tapegrad/ops/softmax.hpp>

#include "bench_util.hpp"

namespace {

struct Problem {
  tg::Tensor logits, labels, onehot;
};

Problem problem(std::int64_t n, std::int64_t c) {
  tg::Generator gen(0);
  Problem p;
  p.logits = tg::randn({n, c}, tg::f32, &gen);
  p.logits.requires_grad_();
  std::vector<std::int64_t> y(static_cast<std::size_t>(n));
  std::vector<float> hot(static_cast<std::size_t>(n * c), 0.f);
  for (std::int64_t i = 0; i < n; ++i) {
    y[static_cast<std::size_t>(i)] = (i * 7) % c;
    hot[static_cast<std::size_t>(i * c + (i * 7) % c)] = 1.f;
  }
  p.labels = tg::from_vector(y, {n});
  p.onehot = tg::from_vector(hot, {n, c});
  return p;
}

// Rows per second as a rate ("items/s").
void report_rows(benchmark::State& state, std::int64_t n) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * n);
}

void cross_entropy_fwd_bwd(benchmark::State& state) {
  tg::bench::ThreadCountGuard threads(static_cast<int>(state.range(2)));
  const std::int64_t n = state.range(0), c = state.range(1);
  Problem p = problem(n, c);
  for (auto _ : state) {
    p.logits.set_grad(tg::Tensor{});
    tg::cross_entropy(p.logits, p.labels).backward();
  }
  benchmark::DoNotOptimize(p.logits.grad().raw_data());
  report_rows(state, n);
}

void cross_entropy_composed_fwd_bwd(benchmark::State& state) {
  tg::bench::ThreadCountGuard threads(static_cast<int>(state.range(2)));
  const std::int64_t n = state.range(0), c = state.range(1);
  Problem p = problem(n, c);
  for (auto _ : state) {
    p.logits.set_grad(tg::Tensor{});
    (-tg::mean(tg::sum(tg::log_softmax(p.logits, 1) * p.onehot, {1}))).backward();
  }
  benchmark::DoNotOptimize(p.logits.grad().raw_data());
  report_rows(state, n);
}

void cross_entropy_fwd(benchmark::State& state) {
  tg::bench::ThreadCountGuard threads(static_cast<int>(state.range(2)));
  tg::NoGradGuard no_grad;
  const std::int64_t n = state.range(0), c = state.range(1);
  Problem p = problem(n, c);
  for (auto _ : state) benchmark::DoNotOptimize(tg::cross_entropy(p.logits, p.labels).raw_data());
  report_rows(state, n);
}

void softmax_fwd(benchmark::State& state) {
  tg::bench::ThreadCountGuard threads(static_cast<int>(state.range(2)));
  tg::NoGradGuard no_grad;
  const std::int64_t n = state.range(0), c = state.range(1);
  Problem p = problem(n, c);
  for (auto _ : state) benchmark::DoNotOptimize(tg::softmax(p.logits, 1).raw_data());
  report_rows(state, n);
}

void softmax_fwd_bwd(benchmark::State& state) {
  tg::bench::ThreadCountGuard threads(static_cast<int>(state.range(2)));
  const std::int64_t n = state.range(0), c = state.range(1);
  Problem p = problem(n, c);
  const tg::Tensor g = tg::randn({n, c});
  for (auto _ : state) {
    p.logits.set_grad(tg::Tensor{});
    tg::softmax(p.logits, 1).backward(g);
  }
  benchmark::DoNotOptimize(p.logits.grad().raw_data());
  report_rows(state, n);
}

// The softmax backward formula from tapegrad ops (what create_graph records), to
// compare with the fused kernel inside softmax_fwd_bwd.
void softmax_backward_composed(benchmark::State& state) {
  tg::bench::ThreadCountGuard threads(static_cast<int>(state.range(2)));
  tg::NoGradGuard no_grad;
  const std::int64_t n = state.range(0), c = state.range(1);
  Problem p = problem(n, c);
  const tg::Tensor y = tg::softmax(p.logits, 1);
  const tg::Tensor g = tg::randn({n, c});
  for (auto _ : state) benchmark::DoNotOptimize((y * (g - tg::sum(g * y, {1}, true))).raw_data());
  report_rows(state, n);
}

void shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "c", "threads"});
  for (auto [n, c] : {std::pair<int, int>{64, 10}, {128, 1000}})
    for (int threads : {1, 2}) b->Args({n, c, threads});
  b->UseRealTime();
}

void softmax_shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"n", "c", "threads"});
  for (auto [n, c] : {std::pair<int, int>{64, 10}, {32, 32}, {64, 64}, {128, 100}, {128, 1000}})
    for (int threads : {1, 2}) b->Args({n, c, threads});
  b->UseRealTime();
}

}  // namespace

// Real time: with two threads the main thread's CPU time undercounts.
BENCHMARK(cross_entropy_fwd_bwd)->Apply(shapes);
BENCHMARK(cross_entropy_composed_fwd_bwd)->Apply(shapes);
BENCHMARK(cross_entropy_fwd)->Apply(shapes);
BENCHMARK(softmax_fwd)->Apply(softmax_shapes);
BENCHMARK(softmax_fwd_bwd)->Apply(softmax_shapes);
BENCHMARK(softmax_backward_composed)->Apply(shapes);
