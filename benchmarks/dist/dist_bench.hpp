#pragma once
// Pieces shared by the dist benchmarks (bench_dist_*.cpp).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>

#include <tapegrad/dist/collectives.hpp>
#include <tapegrad/dist/data_parallel.hpp>
#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>

namespace tg::bench::dist_bench {

inline std::int64_t bytes_of_mb(std::int64_t mb) { return mb << 20; }

// Each iteration of a collective benchmark moves 64 MB: 64/mb calls of mb MB, so that a
// fixed iteration count (the same on every rank) suits every size.
inline int calls_per_iteration(std::int64_t mb) { return static_cast<int>(64 / mb); }

// bytes_per_second (the buffer's bytes per call time) and seconds_per_call.
inline void finish_collective_benchmark(benchmark::State& state) {
  const double calls = static_cast<double>(state.iterations()) * calls_per_iteration(state.range(0));
  state.SetBytesProcessed(static_cast<std::int64_t>(calls) * bytes_of_mb(state.range(0)));
  state.counters["seconds_per_call"] = benchmark::Counter(calls, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// One parameter of n elements: with bucket_bytes of its size, one bucket.
struct FlatParameter : nn::Module {
  explicit FlatParameter(std::int64_t n) { w = register_parameter("w", zeros({n})); }
  std::string type_name() const override { return "FlatParameter"; }
  Tensor w;
};

}  // namespace tg::bench::dist_bench
