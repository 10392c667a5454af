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
  // cpu0: 200+100+100+5+10+10 = 425 ticks, 100 niced; cpu1: 300+0+100+5+10+20 = 435 ticks.
  CHECK(tg::busy_seconds_from_proc_stat(kProcStat, {0}, 100).busy == doctest::Approx(4.25));
  CHECK(tg::busy_seconds_from_proc_stat(kProcStat, {0}, 100).niced == doctest::Approx(1.0));
  CHECK(tg::busy_seconds_from_proc_stat(kProcStat, {1}, 100).busy == doctest::Approx(4.35));
  CHECK(tg::busy_seconds_from_proc_stat(kProcStat, {1}, 100).niced == 0);
  CHECK(tg::busy_seconds_from_proc_stat(kProcStat, {0, 1}, 100).busy == doctest::Approx(8.60));
  CHECK(tg::busy_seconds_from_proc_stat(kProcStat, {5}, 100).busy == 0);
  CHECK(tg::busy_seconds_from_proc_stat("", {0}, 100).busy == 0);
  CHECK(tg::busy_seconds_from_proc_stat("cpu0 12 garbage\n", {0}, 100).busy == doctest::Approx(0.12));
}

TEST_CASE("cpu load: others' use is the busy time minus this process's, per second of wall time") {
  const tg::CpuTimes before{.busy = 100.0, .niced = 20.0, .own = 10.0, .own_wait = 1.0, .wall = 50.0};
  const tg::CpuTimes after{.busy = 101.5, .niced = 20.25, .own = 10.5, .own_wait = 1.5, .wall = 51.0};
  const tg::LoadWindow w = tg::load_between(before, after, false);
  CHECK(w.others == doctest::Approx(1.0));
  CHECK(w.others_niced == doctest::Approx(0.25));
  CHECK(w.own_wait == doctest::Approx(0.5));
  // When this process is niced its own time is in the nice column, not others'.
  CHECK(tg::load_between(before, after, true).others_niced == 0);
  // Too short a window to tell (a 10 ms tick), and our own time exceeding the sampled busy
  // time, both read as no load.
  const tg::CpuTimes soon{.busy = 100.5, .niced = 20.0, .own = 10.0, .own_wait = 1.0, .wall = 50.01};
  CHECK(tg::load_between(before, soon, false).others == 0);
  const tg::CpuTimes overcounted{.busy = 100.1, .niced = 20.0, .own = 11.0, .own_wait = 1.0, .wall = 51.0};
  CHECK(tg::load_between(before, overcounted, false).others == 0);
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

TEST_CASE("thread count policy: a busy process takes a CPU, a niced one only when it does not yield") {
  tg::ThreadCountPolicy policy(2, 2);
  const tg::LoadWindow idle{};
  const tg::LoadWindow busy{.others = 1.0, .others_niced = 0.0, .own_wait = 0.6};
  const tg::LoadWindow niced_yielding{.others = 0.7, .others_niced = 0.7, .own_wait = 0.01};
  const tg::LoadWindow niced_taking{.others = 0.7, .others_niced = 0.7, .own_wait = 0.5};
  const tg::LoadWindow niced_beside_one_thread{.others = 1.0, .others_niced = 1.0, .own_wait = 0.0};
  CHECK(policy.next(2, idle, 0.0) == 2);
  CHECK(policy.next(2, busy, 0.2) == 1);
  CHECK(policy.next(1, busy, 0.4) == 1);
  CHECK(policy.next(1, idle, 0.6) == 2);
  // A niced process that yields leaves both threads; one beside a single thread lets it grow.
  CHECK(policy.next(2, niced_yielding, 0.8) == 2);
  CHECK(policy.next(1, niced_beside_one_thread, 1.0) == 2);
  // One that keeps this process's threads waiting costs a thread for 2 s, then 4 s, ...
  CHECK(policy.next(2, niced_taking, 1.2) == 1);
  CHECK(policy.next(1, niced_beside_one_thread, 3.1) == 1);
  CHECK(policy.next(1, niced_beside_one_thread, 3.3) == 2);
  CHECK(policy.next(2, niced_taking, 3.5) == 1);
  CHECK(policy.next(1, niced_beside_one_thread, 7.4) == 1);
  CHECK(policy.next(1, niced_beside_one_thread, 7.6) == 2);
  // ... until it goes away, which resets the back-off.
  CHECK(policy.next(2, idle, 7.8) == 2);
  CHECK(policy.next(2, niced_taking, 8.0) == 1);
  CHECK(policy.next(1, niced_beside_one_thread, 9.9) == 1);
  CHECK(policy.next(1, niced_beside_one_thread, 10.1) == 2);
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
