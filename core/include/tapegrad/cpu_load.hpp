#pragma once
// How busy the CPUs this process may run on are with other processes' work, read from
// Linux's /proc/stat and the process's own CPU and scheduler times. The adaptive thread
// count (tapegrad/parallel.hpp, docs/threads.md) is computed from it.
#include <string_view>
#include <vector>

namespace tg {

// Cumulative times in seconds: since boot for the CPUs, since the start for the process.
struct CpuTimes {
  double busy = 0;      // user + nice + system + irq + softirq + steal of the allowed CPUs
  double niced = 0;     // the nice part of busy: processes at a positive nice level
  double own = 0;       // this process's user + system time, all of its threads
  double own_wait = 0;  // time this process's threads were runnable but waited for a CPU
  double wall = 0;      // steady clock at the reading
};

// busy and niced seconds of the CPUs numbered in `cpus` from the text of /proc/stat, whose
// per-CPU lines count USER_HZ ticks: "cpuN user nice system idle iowait irq softirq steal ...".
struct BusySeconds {
  double busy = 0;
  double niced = 0;
};
BusySeconds busy_seconds_from_proc_stat(std::string_view proc_stat, const std::vector<int>& cpus,
                                        double ticks_per_second);

// Reads the times now. What cannot be read stays 0 (no load seen).
CpuTimes read_cpu_times();

// Rates over the window between two readings, in CPUs (all 0 when the readings are too
// close to tell).
struct LoadWindow {
  double others = 0;        // every other process's CPU use
  double others_niced = 0;  // the part of it at a positive nice level
  double own_wait = 0;      // this process's threads waiting for a CPU
};
LoadWindow load_between(const CpuTimes& before, const CpuTimes& after, bool this_process_niced);

// The CPUs left after `others`, rounded to nearest, within [1, max_threads].
int threads_for_load(int cpus, double others, int max_threads);

// The adaptive count's decisions, one per window (docs/threads.md). Niced processes
// usually yield their CPU to ours, so they do not count as load, unless this process's
// threads were seen waiting for a CPU while they ran: then they count, and the count
// stays down for a back-off time (2 s, doubling up to 64 s) before it tries more again.
class ThreadCountPolicy {
 public:
  ThreadCountPolicy(int cpus, int max_threads) : cpus_(cpus), max_(max_threads) {}
  int next(int current, const LoadWindow& window, double now);

 private:
  int cpus_, max_;
  double held_until_ = 0;
  double backoff_ = 2;
};

}  // namespace tg
