#include "mpi_support.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include "tapegrad/dist/collectives.hpp"
#include "tapegrad/error.hpp"

namespace tg::dist {

namespace {
std::atomic<double> timeout_seconds{300.0};
}  // namespace

void set_timeout(double seconds) {
  TG_CHECK(seconds == seconds, "tg::dist::set_timeout: the timeout is NaN");
  timeout_seconds = seconds;
}

double timeout() { return timeout_seconds; }

namespace detail {

void wait_for(MPI_Request& request, const char* what) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const double limit = timeout();
  // Open MPI advances a non-blocking collective only inside MPI calls, so the test runs
  // back to back (yielding the core between tests, as MPI's own blocking wait does) for
  // the first 100 ms; a longer wait (a slower rank still computing) tests every
  // millisecond, which no longer matters to the collective's speed but frees the core.
  constexpr auto spin = std::chrono::milliseconds(100);
  constexpr auto nap = std::chrono::milliseconds(1);
  for (;;) {
    int done = 0;
    check(what, MPI_Test(&request, &done, MPI_STATUS_IGNORE));
    if (done) return;
    const auto waited = Clock::now() - start;
    if (waited <= spin) {
      std::this_thread::yield();
      continue;
    }
    if (limit > 0 && std::chrono::duration<double>(waited).count() > limit) {
      note_rank_lost();
      fail("{}: rank {} had no answer from the other ranks within {} s: a rank has died or hangs (the limit is "
           "tg::dist::set_timeout, or --dist-timeout of the command line)",
           what, rank(), limit);
    }
    std::this_thread::sleep_for(nap);
  }
}

}  // namespace detail
}  // namespace tg::dist
