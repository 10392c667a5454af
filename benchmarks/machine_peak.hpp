#pragma once
// This machine's ceilings, measured where the benchmarks run, so that every "% of
// peak" is a ratio to the same machine (a shared VM's speed drifts between sessions
// and CPUs; a number from elsewhere compares nothing).
//
// - FMA peak: single-precision fused multiply-adds from registers, 12 independent
//   chains per thread (enough to cover the FMA latency on current x86 cores), with
//   the widest vectors the CPU has: AVX-512 (16 floats) where present, else AVX2 (8).
//   2 FLOP per lane per FMA.
// - STREAM triad: a[i] = b[i] + s * c[i] over three arrays of 32M floats (384 MB,
//   far beyond any cache), counted as STREAM does: 12 bytes per element.
#include <string>

namespace tg::bench {

struct FmaPeak {
  double gflops = 0;     // all threads together
  std::string isa;       // "avx512" or "avx2"
};

// Best of `repeats` runs of about 0.1 s each on `threads` threads.
FmaPeak measure_fma_peak(int threads, int repeats = 5);
double measure_stream_triad_gbs(int threads, int repeats = 5);

// The one-thread FMA peak, measured on first use and kept for the process; the step
// benchmarks divide by it times their thread count.
const FmaPeak& fma_peak_per_thread();

}  // namespace tg::bench
