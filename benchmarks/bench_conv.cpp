// The convolutions and the linear layer of the Fashion-MNIST CNN at batch 64:
//   conv(1 -> 32, 3x3, pad 1) on 28x28, conv(32 -> 64, 3x3, pad 1) on 14x14,
//   linear 3136 (= 64 x 7 x 7) -> 128.
// Forward + backward as in training: the first convolution's input is the image (no
// gradient), the others' inputs come from earlier layers (gradient needed).
#include <benchmark/benchmark.h>

#include <tapegrad/ops/conv.hpp>
#include <tapegrad/ops/linear.hpp>
#include <tapegrad/tapegrad.hpp>

#include "bench_util.hpp"

namespace {

constexpr std::int64_t kBatch = 64;

struct ConvLayer {
  std::int64_t in_channels, out_channels, size;
  bool input_needs_grad;
};
constexpr ConvLayer kLayers[] = {{1, 32, 28, false}, {32, 64, 14, true}};

// 2 x multiply-adds of one pass (forward, backward-input and backward-weight each).
double conv_flops(const ConvLayer& l) {
  return 2.0 * kBatch * l.out_channels * l.size * l.size * l.in_channels * 9;
}

// GFLOPs as a rate: the console shows it as "<n>/s", n in GFLOP/s.
void report_gflops(benchmark::State& state, double flops_per_iteration) {
  state.counters["GFLOPs"] = benchmark::Counter(static_cast<double>(state.iterations()) * flops_per_iteration * 1e-9,
                                                benchmark::Counter::kIsRate);
}

tg::Tensor parameter(const tg::Shape& shape, tg::Generator& gen, bool needs_grad = true) {
  tg::Tensor t = tg::randn(shape, tg::f32, &gen);
  if (needs_grad) t.requires_grad_();
  return t;
}

// args: layer index, threads
void conv_fwd_bwd(benchmark::State& state) {
  const ConvLayer& l = kLayers[state.range(0)];
  tg::bench::ThreadCountGuard threads(static_cast<int>(state.range(1)));
  tg::Generator gen(0);
  tg::Tensor x = parameter({kBatch, l.in_channels, l.size, l.size}, gen, l.input_needs_grad);
  tg::Tensor w = parameter({l.out_channels, l.in_channels, 3, 3}, gen);
  tg::Tensor b = parameter({l.out_channels}, gen);
  const tg::Tensor g = tg::ones({kBatch, l.out_channels, l.size, l.size});
  for (auto _ : state) {
    for (tg::Tensor* p : {&x, &w, &b}) p->set_grad(tg::Tensor{});
    const tg::Tensor y = tg::conv2d(x, w, b, {.padding = 1});
    y.backward(g);
  }
  benchmark::DoNotOptimize(w.grad().raw_data());
  report_gflops(state, conv_flops(l) * (l.input_needs_grad ? 3 : 2));
}

void conv_fwd(benchmark::State& state) {
  const ConvLayer& l = kLayers[state.range(0)];
  tg::bench::ThreadCountGuard threads(static_cast<int>(state.range(1)));
  tg::NoGradGuard no_grad;
  tg::Generator gen(0);
  const tg::Tensor x = parameter({kBatch, l.in_channels, l.size, l.size}, gen, false);
  const tg::Tensor w = parameter({l.out_channels, l.in_channels, 3, 3}, gen, false);
  const tg::Tensor b = parameter({l.out_channels}, gen, false);
  for (auto _ : state) {
    const tg::Tensor y = tg::conv2d(x, w, b, {.padding = 1});
    benchmark::DoNotOptimize(y.raw_data());
  }
  report_gflops(state, conv_flops(l));
}

constexpr std::int64_t kIn = 3136, kOut = 128;

// Forward x W^T + b, backward dx = g W, dW = g^T x, db: three matmuls.
void linear_fwd_bwd(benchmark::State& state) {
  tg::bench::ThreadCountGuard threads(static_cast<int>(state.range(0)));
  tg::Generator gen(0);
  tg::Tensor x = parameter({kBatch, kIn}, gen);
  tg::Tensor w = parameter({kOut, kIn}, gen);
  tg::Tensor b = parameter({kOut}, gen);
  const tg::Tensor g = tg::ones({kBatch, kOut});
  for (auto _ : state) {
    for (tg::Tensor* p : {&x, &w, &b}) p->set_grad(tg::Tensor{});
    const tg::Tensor y = tg::linear(x, w, b);
    y.backward(g);
  }
  benchmark::DoNotOptimize(w.grad().raw_data());
  report_gflops(state, 3 * 2.0 * kBatch * kIn * kOut);
}

void conv_args(benchmark::internal::Benchmark* b) {
  b->ArgNames({"layer", "threads"});
  for (int layer : {0, 1})
    for (int threads : {1, 2}) b->Args({layer, threads});
}

}  // namespace

// Real time: with two threads the main thread's CPU time undercounts.
// layer 0: conv 1 -> 32 on [64, 1, 28, 28]; layer 1: conv 32 -> 64 on [64, 32, 14, 14].
BENCHMARK(conv_fwd_bwd)->Name("conv_fwd_bwd/batch64_3x3_pad1")->Apply(conv_args)->UseRealTime();
BENCHMARK(conv_fwd)->Name("conv_fwd/batch64_3x3_pad1")->Apply(conv_args)->UseRealTime();
BENCHMARK(linear_fwd_bwd)->Name("linear_fwd_bwd/64x3136->128")->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();
