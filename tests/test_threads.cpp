// The thread policy: the adaptive default gives up threads to other busy processes,
// the fixed policy never changes, and the load arithmetic behind it.
#include <doctest/doctest.h>

#include <omp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <tapegrad/cpu_load.hpp>
#include <tapegrad/parallel.hpp>

#include "check_error.hpp"

namespace {

// Two CPUs' lines as Linux prints them (user nice system idle iowait irq softirq steal
// guest guest_nice), after the all-CPU summary line.
constexpr const char* kProcStat =
    "cpu  500 100 200 9000 50 10 20 30 0 0\n"
    "cpu0 200 100 100 4500 25 5 10 10 0 0\n"
    "cpu1 300 0 100 4500 25 5 10 20 0 0\n"
    "intr 12345 0 0\n"
    "ctxt 99\n";

// A child process that keeps one CPU busy until this object goes away.
class BusyChild {
 public:
  BusyChild() {
    pid_ = fork();
    if (pid_ == 0) {
      volatile unsigned long spin = 0;
      for (;;) spin = spin + 1;
    }
  }
  ~BusyChild() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }

 private:
  pid_t pid_;
};

}  // namespace

TEST_CASE("cpu load: busy seconds sum user, nice, system, irq, softirq and steal of the allowed CPUs") {
  // cpu0: 200+100+100+5+10+10 = 425 ticks; cpu1: 300+0+100+5+10+20 = 435 ticks.
  CHECK(tg::busy_seconds_from_proc_stat(kProcStat, {0}, 100) == doctest::Approx(4.25));
  CHECK(tg::busy_seconds_from_proc_stat(kProcStat, {1}, 100) == doctest::Approx(4.35));
  CHECK(tg::busy_seconds_from_proc_stat(kProcStat, {0, 1}, 100) == doctest::Approx(8.60));
  CHECK(tg::busy_seconds_from_proc_stat(kProcStat, {5}, 100) == 0);
  CHECK(tg::busy_seconds_from_proc_stat("", {0}, 100) == 0);
  CHECK(tg::busy_seconds_from_proc_stat("cpu0 12 garbage\n", {0}, 100) == doctest::Approx(0.12));
}

TEST_CASE("cpu load: others' use is the busy time minus this process's, per second of wall time") {
  const tg::CpuTimes before{.busy = 100.0, .own = 10.0, .wall = 50.0};
  const tg::CpuTimes after{.busy = 101.5, .own = 10.5, .wall = 51.0};
  CHECK(tg::cores_used_by_others(before, after) == doctest::Approx(1.0));
  // Too short a window to tell (a 10 ms tick), and our own time exceeding the sampled busy
  // time, both read as no load.
  CHECK(tg::cores_used_by_others(before, tg::CpuTimes{.busy = 100.5, .own = 10.0, .wall = 50.01}) == 0);
  CHECK(tg::cores_used_by_others(before, tg::CpuTimes{.busy = 100.1, .own = 11.0, .wall = 51.0}) == 0);
}

TEST_CASE("cpu load: the thread count is the CPUs left over, rounded, within [1, max]") {
  CHECK(tg::threads_for_load(2, 0.0, 2) == 2);
  CHECK(tg::threads_for_load(2, 0.4, 2) == 2);
  CHECK(tg::threads_for_load(2, 0.6, 2) == 1);
  CHECK(tg::threads_for_load(2, 1.0, 2) == 1);
  CHECK(tg::threads_for_load(2, 3.0, 2) == 1);
  CHECK(tg::threads_for_load(8, 1.0, 8) == 7);
  CHECK(tg::threads_for_load(8, 0.0, 4) == 4);
}

TEST_CASE("threads: set_num_threads fixes the count, set_num_threads_adaptive follows the load") {
  tg::ThreadSettingGuard restore;
  tg::set_num_threads(3);
  CHECK_FALSE(tg::num_threads_adaptive());
  tg::adapt_num_threads();
  CHECK(tg::get_num_threads() == 3);
  tg::set_num_threads_adaptive(2);
  CHECK(tg::num_threads_adaptive());
  CHECK(tg::get_num_threads() == 2);
  CHECK_ERROR(tg::set_num_threads(0), "set_num_threads: need at least 1 thread, got 0");
  CHECK_ERROR(tg::set_num_threads_adaptive(-1), "max_threads must be >= 0");
}

TEST_CASE("threads: ThreadSettingGuard restores the policy and the count") {
  tg::ThreadSettingGuard outer;
  tg::set_num_threads_adaptive(2);
  {
    tg::ThreadSettingGuard inner;
    tg::set_num_threads(1);
    CHECK_FALSE(tg::num_threads_adaptive());
  }
  CHECK(tg::num_threads_adaptive());
  CHECK(tg::get_num_threads() == 2);
}

TEST_CASE("threads: the adaptive default gives a CPU to a competing busy process") {
  const int cpus = omp_get_num_procs();
  if (cpus < 2) return;  // nothing to give up on one CPU
  tg::ThreadSettingGuard restore;
  tg::set_num_threads_adaptive();
  BusyChild competitor;
  // The load is read every 200 ms; allow a few readings for the scheduler to settle.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (tg::get_num_threads() == cpus && std::chrono::steady_clock::now() < deadline) {
    tg::adapt_num_threads();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(tg::get_num_threads() < cpus);
}
