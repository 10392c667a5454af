#include "tapegrad/parallel.hpp"

#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>

#include "tapegrad/cpu_load.hpp"
#include "tapegrad/error.hpp"

namespace tg {

namespace {

constexpr double kCheckInterval = 0.2;  // seconds between readings of the load
// The first reading after a start is compared sooner, so a loaded machine costs little
// time at the full count; /proc/stat's 10 ms ticks still leave a dozen ticks to count.
constexpr double kFirstInterval = 0.06;

// 0: fixed policy; > 0: adaptive, up to this many threads; -1: not decided yet.
std::atomic<int> adaptive_max{-1};

int policy() {
  int max = adaptive_max.load(std::memory_order_relaxed);
  if (max >= 0) return max;
  const char* env = std::getenv("OMP_NUM_THREADS");
  const int from_environment = env != nullptr && *env != '\0' ? 0 : omp_get_num_procs();
  adaptive_max.compare_exchange_strong(max, from_environment);
  return adaptive_max.load(std::memory_order_relaxed);
}

struct LoadReading {
  CpuTimes last;
  double next_check = 0;
  bool primed = false;
  ThreadCountPolicy policy{omp_get_num_procs(), omp_get_num_procs()};
};
thread_local LoadReading reading;

// The main thread's first reading is taken when the library loads, so the first
// decision, when work starts, already has the time since then to count (a program
// usually spends it reading data).
const bool main_thread_primed = [] {
  reading.last = read_cpu_times();
  reading.primed = true;
  return true;
}();

// TAPEGRAD_LOG_THREADS=1 prints every change of the adaptive count on stderr.
bool log_changes() {
  static const bool on = [] {
    const char* env = std::getenv("TAPEGRAD_LOG_THREADS");
    return env != nullptr && *env != '\0' && *env != '0';
  }();
  return on;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

void set_num_threads(int n) {
  TG_CHECK(n >= 1, "set_num_threads: need at least 1 thread, got {}", n);
  adaptive_max.store(0);
  omp_set_num_threads(n);
}

void set_num_threads_adaptive(int max_threads) {
  TG_CHECK(max_threads >= 0, "set_num_threads_adaptive: max_threads must be >= 0 (0: every CPU), got {}",
           max_threads);
  const int max = max_threads == 0 ? omp_get_num_procs() : max_threads;
  adaptive_max.store(max);
  // A fresh start: the load from now on decides, first after kFirstInterval.
  reading = LoadReading{};
  reading.policy = ThreadCountPolicy(omp_get_num_procs(), max);
  reading.last = read_cpu_times();
  reading.primed = true;
  reading.next_check = now_seconds() + kFirstInterval;
  omp_set_num_threads(max);
}

bool num_threads_adaptive() { return policy() > 0; }

int get_num_threads() { return omp_get_max_threads(); }

std::string describe_num_threads() {
  const int max = policy();
  if (max > 1) return fmt::format("up to {} threads, fewer under load", max);
  const int n = max == 1 ? 1 : omp_get_max_threads();
  return fmt::format("{} thread{}", n, n == 1 ? "" : "s");
}

void adapt_num_threads() {
  const int max = policy();
  if (max <= 0 || omp_in_parallel()) return;
  const double now = now_seconds();
  if (now < reading.next_check) return;
  const CpuTimes times = read_cpu_times();
  const LoadWindow window =
      reading.primed ? load_between(reading.last, times, getpriority(PRIO_PROCESS, 0) > 0) : LoadWindow{};
  const int before = omp_get_max_threads();
  const int threads = std::min(reading.policy.next(before, window, now), max);
  if (threads != before) {
    omp_set_num_threads(threads);
    if (log_changes())
      fmt::print(stderr,
                 "tapegrad: {} -> {} threads (over the last {:.2f} s other processes used {:.2f} CPUs, "
                 "{:.2f} of them niced; this one's threads waited {:.2f} CPUs)\n",
                 before, threads, times.wall - reading.last.wall, window.others, window.others_niced,
                 window.own_wait);
  }
  reading.next_check = now + (reading.primed ? kCheckInterval : kFirstInterval);
  reading.last = times;
  reading.primed = true;
}

ThreadSettingGuard::ThreadSettingGuard() : adaptive_max_(policy()), threads_(omp_get_max_threads()) {}

ThreadSettingGuard::~ThreadSettingGuard() {
  adaptive_max.store(adaptive_max_);
  omp_set_num_threads(threads_);
}

}  // namespace tg
