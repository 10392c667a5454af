// tg::dist collectives across the ranks of the job (tests/dist/CMakeLists.txt runs them
// under `mpirun -np 2` and alone, as one rank).
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <thread>

#include <tapegrad/dist/collectives.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"
#include "tensor_values.hpp"

namespace dist = tg::dist;
using tg::Tensor;
using tg::test::values;

TEST_CASE("dist rank and size describe the job") {
  CHECK(dist::is_initialized());
  CHECK(dist::size() >= 1);
  CHECK(dist::rank() >= 0);
  CHECK(dist::rank() < dist::size());
  dist::barrier();
}

TEST_CASE("dist all_reduce sums or averages every rank's tensor, in f32 and f64") {
  const double r = dist::rank(), n = dist::size();
  for (const tg::DType dtype : {tg::f32, tg::f64}) {
    // rank r holds (r + 1, 2(r + 1), -r): the sum over ranks is (n(n+1)/2, n(n+1), -n(n-1)/2).
    Tensor t = tg::from_vector(std::vector<double>{r + 1, 2 * (r + 1), -r}, {3}).to(dtype);
    const auto version = t.version();
    dist::all_reduce(t);
    CHECK(values(t) == std::vector<double>{n * (n + 1) / 2, n * (n + 1), -n * (n - 1) / 2});
    CHECK(t.version() > version);
    Tensor m = tg::from_vector(std::vector<double>{r + 1, 2 * (r + 1), -r}, {3}).to(dtype);
    dist::all_reduce(m, dist::ReduceOp::mean);
    CHECK(values(m) == std::vector<double>{(n + 1) / 2, n + 1, -(n - 1) / 2});
  }
  Tensor empty = tg::zeros({0, 3}, tg::f32);
  dist::all_reduce(empty);  // every rank still takes part
  CHECK(empty.numel() == 0);
}

TEST_CASE("dist broadcast copies root's tensor to every rank") {
  const double r = dist::rank();
  Tensor t = tg::full({2, 2}, r + 10, tg::f64);
  dist::broadcast(t);
  CHECK(values(t) == std::vector<double>{10, 10, 10, 10});
  const int last = dist::size() - 1;
  Tensor u = tg::full({3}, r, tg::f32);
  dist::broadcast(u, last);
  CHECK(values(u) == std::vector<double>{1.0 * last, 1.0 * last, 1.0 * last});
}

TEST_CASE("dist collectives refuse tensors MPI cannot take, and MPI's errors are tg::Error") {
  Tensor ints = tg::zeros({2}, tg::i64);
  CHECK_ERROR(dist::all_reduce(ints), "tg::dist::all_reduce: expected an f32 or f64 tensor, got i64");
  Tensor strided = tg::transpose(tg::zeros({2, 3}, tg::f32), 0, 1);
  CHECK_ERROR(dist::broadcast(strided), "tg::dist::broadcast: expected a contiguous tensor");
  Tensor undefined;
  CHECK_ERROR(dist::all_reduce(undefined), "tg::dist::all_reduce: the tensor is undefined");
  // A root that is no rank: MPI returns the error (MPI_ERRORS_RETURN) instead of
  // aborting the job, and its message comes through.
  Tensor t = tg::zeros({1}, tg::f64);
  CHECK_ERROR(dist::broadcast(t, dist::size()), "tg::dist::broadcast: MPI failed: MPI_ERR_ROOT");
  CHECK_ERROR(dist::Environment(), "tg::dist::Environment: one already exists in this process");
}

TEST_CASE("dist a collective the other ranks do not join in time is an error naming it, not a hang") {
  if (dist::size() < 2) return;  // alone, every collective completes at once
  const double saved = dist::timeout();
  CHECK(saved == 300.0);  // the default
  dist::set_timeout(0.5);
  if (dist::rank() == 0) {
    const auto start = std::chrono::steady_clock::now();
    CHECK_ERROR(dist::barrier(), "tg::dist::barrier: rank 0 had no answer from the other ranks within 0.5 s");
    const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(waited >= 0.5);
    CHECK(waited < 1.5);
  } else {
    // Late: rank 0 has given up by then; this barrier completes with the one it abandoned.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    dist::barrier();
  }
  dist::set_timeout(saved);
  dist::barrier();
  CHECK(dist::rank_lost_noted() == (dist::rank() == 0));  // the timeout noted a lost rank
  dist::note_rank_lost(false);  // rank 1 did answer: MPI_Finalize may wait for it
  CHECK_ERROR(dist::set_timeout(std::nan("")), "tg::dist::set_timeout: the timeout is NaN");
}
