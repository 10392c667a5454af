// The all-reduce and cnn-step comparisons of bench_dist_allreduce.cpp and
// bench_dist_cnn_step.cpp, interleaved: every iteration runs each variant once (after a
// barrier, in an order shuffled anew for each iteration, the same on every rank), timed
// apart. On a
// machine shared with other work, whose load drifts over seconds, variants measured within
// the same iteration see the same load, so their ratios are far steadier than those of
// benchmarks run one after the other. Counters (seconds, or fractions): the median over
// the iterations of each variant's time (the slowest rank's; see combine_over_ranks), and
// the medians of the per-iteration ratios.
//   allreduce_interleaved/MB:m  mpi (MPI_Allreduce in place), mpi_nb_in_place and
//       mpi_nb_two_buffers (MPI_Iallreduce + MPI_Wait), tg_sum and tg_mean
//       (tg::dist::all_reduce), ddp (DataParallel::synchronize of one bucket of m MB),
//       backward_ddp and backward_local (backward of sum(w) with and without DataParallel);
//       ratio_X = t_mpi / t_X, ratio_hook = t_mpi / (t_backward_ddp - t_backward_local).
//   cnn_interleaved  local (the cnn step alone), local_barrier (then MPI_Barrier), ddp_25mb
//       and ddp_1mb (DataParallel steps), alone_25mb and alone_1mb (synchronize() alone),
//       sync_X (time in synchronize() within the ddp_X step, the least over the ranks), mpi (MPI_Allreduce of the
//       gradient bytes); hidden_X = 1 - (t_ddp_X - t_local) / t_alone_X, hidden_barrier_X
//       the same from local_barrier, hidden_sync_X = 1 - t_sync_X / t_alone_X.
#include <mpi.h>

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "cnn_step.hpp"

namespace {

using tg::bench::dist_bench::CnnStep;
using tg::bench::dist_bench::FlatParameter;
using tg::bench::dist_bench::kWarmup;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n == 0 ? 0.0 : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

using Samples = std::map<std::string, std::vector<double>>;
using Variant = std::pair<std::string, std::function<void()>>;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// One iteration: every variant once, each after a barrier, in an order drawn from
// `order` (seeded alike on every rank, so that the ranks agree): no variant always
// follows the same one.
void run_variants(const std::vector<Variant>& variants, std::mt19937& order, Samples& samples) {
  std::vector<std::size_t> permutation(variants.size());
  std::iota(permutation.begin(), permutation.end(), std::size_t{0});
  for (std::size_t k = permutation.size(); k > 1; --k)
    std::swap(permutation[k - 1], permutation[std::uniform_int_distribution<std::size_t>(0, k - 1)(order)]);
  for (std::size_t index : permutation) {
    const Variant& v = variants[index];
    tg::dist::barrier();
    const auto start = std::chrono::steady_clock::now();
    v.second();
    samples[v.first].push_back(seconds_since(start));
  }
}

// The median over the iterations of f(i).
template <class F>
double median_of(std::size_t n, F f) {
  std::vector<double> v;
  for (std::size_t i = 0; i < n; ++i) v.push_back(f(i));
  return median(v);
}

// Each sample becomes its maximum over the ranks: a collective, and a synchronous
// data-parallel step, take as long as the slowest rank. The times spent in synchronize()
// (names starting "sync") take the minimum instead: the rank that reaches synchronize()
// last waits only for what backward did not hide, the others also for that rank.
void combine_over_ranks(Samples& samples) {
  for (auto& [name, values] : samples) {
    const MPI_Op op = name.rfind("sync", 0) == 0 ? MPI_MIN : MPI_MAX;
    MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_DOUBLE, op, MPI_COMM_WORLD);
  }
}

void report_medians(benchmark::State& state, const Samples& samples) {
  for (const auto& [name, values] : samples) state.counters[name] = median(values);
}

// Every variant once per iteration of state, in a shuffled order; then each sample is the
// slowest rank's, and the medians are reported. Returns the number of iterations.
std::size_t time_interleaved(benchmark::State& state, const std::vector<Variant>& variants, std::mt19937& order,
                             Samples& samples) {
  std::size_t n = 0;
  for (auto _ : state) {
    run_variants(variants, order, samples);
    ++n;
  }
  combine_over_ranks(samples);
  report_medians(state, samples);
  return n;
}

void allreduce_interleaved(benchmark::State& state) {
  const std::int64_t bytes = tg::bench::dist_bench::bytes_of_mb(state.range(0)), n = bytes / 4;
  const int count = static_cast<int>(n);
  tg::Tensor t = tg::zeros({n}), result = tg::zeros({n});
  auto flat = std::make_shared<FlatParameter>(n), plain = std::make_shared<FlatParameter>(n);
  tg::dist::DataParallel ddp(flat, {.bucket_bytes = static_cast<std::size_t>(bytes)});
  flat->w.set_grad(tg::zeros({n}));
  auto nonblocking = [&](const void* send, void* receive) {
    MPI_Request request;
    MPI_Iallreduce(send, receive, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &request);
    MPI_Wait(&request, MPI_STATUS_IGNORE);
  };
  const std::vector<Variant> variants = {
      {"mpi", [&] { MPI_Allreduce(MPI_IN_PLACE, t.raw_data(), count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD); }},
      {"mpi_nb_in_place", [&] { nonblocking(MPI_IN_PLACE, t.raw_data()); }},
      {"mpi_nb_two_buffers", [&] { nonblocking(t.raw_data(), result.raw_data()); }},
      {"tg_sum", [&] { tg::dist::all_reduce(t, tg::dist::ReduceOp::sum); }},
      {"tg_mean", [&] { tg::dist::all_reduce(t, tg::dist::ReduceOp::mean); }},
      {"ddp", [&] { ddp.synchronize(); }},
      {"backward_ddp", [&] {
         flat->w.set_grad({});
         ddp.prepare_for_backward();  // the hook starts the all-reduce
         tg::sum(flat->w).backward();
         ddp.synchronize();
       }},
      {"backward_local", [&] {
         plain->w.set_grad({});
         tg::sum(plain->w).backward();
       }},
  };
  Samples samples;
  std::mt19937 order(7);
  run_variants(variants, order, samples);  // warm-up: first touches, MPI's connections
  samples.clear();
  const std::size_t i = time_interleaved(state, variants, order, samples);
  const auto& mpi = samples["mpi"];
  for (const char* name : {"mpi_nb_in_place", "mpi_nb_two_buffers", "tg_sum", "tg_mean", "ddp"}) {
    const auto& x = samples[name];
    state.counters[std::string("ratio_") + name] = median_of(i, [&](std::size_t k) { return mpi[k] / x[k]; });
  }
  const auto &bd = samples["backward_ddp"], &bl = samples["backward_local"];
  state.counters["ratio_hook"] = median_of(i, [&](std::size_t k) { return mpi[k] / (bd[k] - bl[k]); });
}

void cnn_interleaved(benchmark::State& state) {
  CnnStep local(1), ddp_big(1), ddp_small(1);
  tg::dist::DataParallel big(ddp_big.model, {.bucket_bytes = std::size_t{25} << 20});
  tg::dist::DataParallel small(ddp_small.model, {.bucket_bytes = std::size_t{1} << 20});
  for (int k = 0; k < kWarmup; ++k) {
    local.run(nullptr);
    ddp_big.run(&big);
    ddp_small.run(&small);
  }
  tg::Tensor flat = tg::zeros({local.parameter_count()});
  double sync_big = 0, sync_small = 0;
  Samples samples;
  const std::vector<Variant> variants = {
      {"local", [&] { local.run(nullptr); }},
      {"local_barrier", [&] {
         local.run(nullptr);
         tg::dist::barrier();
       }},
      {"ddp_25mb", [&] {
         sync_big = 0;
         ddp_big.run(&big, &sync_big);
         samples["sync_25mb"].push_back(sync_big);
       }},
      {"ddp_1mb", [&] {
         sync_small = 0;
         ddp_small.run(&small, &sync_small);
         samples["sync_1mb"].push_back(sync_small);
       }},
      {"alone_25mb", [&] { big.synchronize(); }},
      {"alone_1mb", [&] { small.synchronize(); }},
      {"mpi", [&] {
         MPI_Allreduce(MPI_IN_PLACE, flat.raw_data(), static_cast<int>(flat.numel()), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
       }},
  };
  std::mt19937 order(7);
  const std::size_t i = time_interleaved(state, variants, order, samples);
  state.counters["buckets_25mb"] = static_cast<double>(big.num_buckets());
  state.counters["buckets_1mb"] = static_cast<double>(small.num_buckets());
  state.counters["params"] = static_cast<double>(local.parameter_count());
  const auto &l = samples["local"], &lb = samples["local_barrier"];
  for (const char* size : {"25mb", "1mb"}) {
    const auto &d = samples[std::string("ddp_") + size], &a = samples[std::string("alone_") + size],
               &w = samples[std::string("sync_") + size];
    state.counters[std::string("hidden_") + size] = median_of(i, [&](std::size_t k) { return 1 - (d[k] - l[k]) / a[k]; });
    state.counters[std::string("hidden_barrier_") + size] =
        median_of(i, [&](std::size_t k) { return 1 - (d[k] - lb[k]) / a[k]; });
    state.counters[std::string("hidden_sync_") + size] = median_of(i, [&](std::size_t k) { return 1 - w[k] / a[k]; });
  }
}

BENCHMARK(allreduce_interleaved)->ArgName("MB")->Arg(1)->Arg(4)->Arg(16)->Arg(64)->Iterations(15)
    ->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(cnn_interleaved)->Iterations(30)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
