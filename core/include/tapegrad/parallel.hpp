#pragma once
// One thread pool: oneDNN and tapegrad's own kernels both run on OpenMP, so the count
// set here applies to both (as OMP_NUM_THREADS does).
//
// Two policies (docs/threads.md has the measurements behind them):
// - adaptive, the default when OMP_NUM_THREADS is not set: up to every CPU this process
//   may run on, but fewer while other processes keep CPUs busy. Parallel regions wait
//   for their slowest thread, and a thread that shares its CPU with another busy process
//   is the slowest by whole scheduler time slices, so on a busy machine two threads can
//   run tens of times slower than one. The load is re-read at most every 200 ms, at the
//   points where the library starts work (backward, oneDNN primitives, optimizer steps).
// - fixed: set_num_threads(n) or OMP_NUM_THREADS=n; always n threads.
#include <string>

namespace tg {

void set_num_threads(int n);                        // fixed policy, n >= 1
void set_num_threads_adaptive(int max_threads = 0); // adaptive; 0: every allowed CPU
bool num_threads_adaptive();
int get_num_threads();  // the thread count of the next parallel region on this thread
// "2 threads", or "up to 2 threads, fewer under load" under the adaptive policy.
std::string describe_num_threads();

// Re-reads the load and sets this thread's count under the adaptive policy, at most
// once per interval; costs a clock read otherwise. A no-op under the fixed policy.
void adapt_num_threads();

// Saves the policy and count, and restores them when it goes out of scope.
class ThreadSettingGuard {
 public:
  ThreadSettingGuard();
  ~ThreadSettingGuard();
  ThreadSettingGuard(const ThreadSettingGuard&) = delete;
  ThreadSettingGuard& operator=(const ThreadSettingGuard&) = delete;

 private:
  int adaptive_max_;  // 0 under the fixed policy
  int threads_;
};

}  // namespace tg
