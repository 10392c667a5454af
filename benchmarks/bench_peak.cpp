// The machine's ceilings (machine_peak.hpp): FMA peak in GFLOP/s and STREAM triad in
// GB/s, on 1 and 2 threads. The step benchmarks report their "% of peak" against the
// one-thread FMA peak measured in the same process.
#include <benchmark/benchmark.h>

#include "machine_peak.hpp"

namespace {

void peak_fma(benchmark::State& state) {
  tg::bench::FmaPeak peak;
  for (auto _ : state) peak = tg::bench::measure_fma_peak(static_cast<int>(state.range(0)), 3);
  state.counters["GFLOP_per_s"] = peak.gflops;
  state.SetLabel(peak.isa);
}

void peak_stream_triad(benchmark::State& state) {
  double gbs = 0;
  for (auto _ : state) gbs = tg::bench::measure_stream_triad_gbs(static_cast<int>(state.range(0)), 3);
  state.counters["GB_per_s"] = gbs;
}

BENCHMARK(peak_fma)->ArgName("threads")->Arg(1)->Arg(2)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(peak_stream_triad)->ArgName("threads")->Arg(1)->Arg(2)->Iterations(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
