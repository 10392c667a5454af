#pragma once
// How busy the CPUs this process may run on are with other processes' work, read from
// Linux's /proc/stat and the process's own CPU time. The adaptive thread count
// (tapegrad/parallel.hpp, docs/threads.md) is computed from it.
#include <string_view>
#include <vector>

namespace tg {

// Cumulative CPU time, in seconds, since boot (busy) and since the process started (own).
struct CpuTimes {
  double busy = 0;  // user + nice + system + irq + softirq + steal of the allowed CPUs
  double own = 0;   // this process's user + system time, all of its threads
  double wall = 0;  // steady clock at the reading
};

// Busy seconds of the CPUs numbered in `cpus` from the text of /proc/stat, whose per-CPU
// lines count USER_HZ ticks: "cpuN user nice system idle iowait irq softirq steal ...".
double busy_seconds_from_proc_stat(std::string_view proc_stat, const std::vector<int>& cpus,
                                   double ticks_per_second);

// Reads the times now. When /proc/stat cannot be read, busy stays 0 (no load seen).
CpuTimes read_cpu_times();

// CPUs' worth of time spent by everything but this process between two readings
// (0 when the readings are too close to tell).
double cores_used_by_others(const CpuTimes& before, const CpuTimes& after);

// The thread count for the next parallel regions: the CPUs left after the others' use,
// rounded to nearest, within [1, max_threads].
int threads_for_load(int cpus, double cores_used_by_others, int max_threads);

}  // namespace tg
