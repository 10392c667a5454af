#include "tapegrad/cpu_load.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

namespace tg {

namespace {

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  return cpus;
}

double seconds(const timeval& t) { return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec); }

}  // namespace

double busy_seconds_from_proc_stat(std::string_view proc_stat, const std::vector<int>& cpus,
                                   double ticks_per_second) {
  double ticks = 0;
  std::size_t line_start = 0;
  while (line_start < proc_stat.size()) {
    std::size_t line_end = proc_stat.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = proc_stat.size();
    const std::string_view line = proc_stat.substr(line_start, line_end - line_start);
    line_start = line_end + 1;
    // "cpu " is the sum over all CPUs; only "cpuN" lines are counted.
    if (line.size() < 4 || line.substr(0, 3) != "cpu" || line[3] < '0' || line[3] > '9') continue;
    const char* p = line.data() + 3;
    const char* end = line.data() + line.size();
    int cpu = -1;
    auto parsed = std::from_chars(p, end, cpu);
    if (parsed.ec != std::errc() || !std::binary_search(cpus.begin(), cpus.end(), cpu)) continue;
    p = parsed.ptr;
    // Columns: user nice system idle iowait irq softirq steal (guest time is inside user).
    constexpr bool kBusyColumn[8] = {true, true, true, false, false, true, true, true};
    for (bool busy : kBusyColumn) {
      while (p < end && *p == ' ') ++p;
      unsigned long long value = 0;
      parsed = std::from_chars(p, end, value);
      if (parsed.ec != std::errc()) break;  // older kernels have fewer columns
      p = parsed.ptr;
      if (busy) ticks += static_cast<double>(value);
    }
  }
  return ticks / ticks_per_second;
}

CpuTimes read_cpu_times() {
  static const std::vector<int> cpus = allowed_cpus();
  static const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  CpuTimes t;
  t.wall = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) t.own = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  std::ifstream file("/proc/stat");
  if (!file || ticks_per_second <= 0) return t;
  std::stringstream text;
  text << file.rdbuf();
  t.busy = busy_seconds_from_proc_stat(text.str(), cpus, ticks_per_second);
  return t;
}

double cores_used_by_others(const CpuTimes& before, const CpuTimes& after) {
  const double wall = after.wall - before.wall;
  // /proc/stat counts whole ticks (10 ms): a shorter window is mostly rounding.
  if (wall < 0.05 || after.busy <= 0 || before.busy <= 0) return 0;
  const double others = (after.busy - before.busy) - (after.own - before.own);
  return std::max(0.0, others / wall);
}

int threads_for_load(int cpus, double cores_used_by_others, int max_threads) {
  const double spare = static_cast<double>(cpus) - cores_used_by_others;
  const int threads = static_cast<int>(std::floor(spare + 0.5));
  return std::clamp(threads, 1, std::max(1, max_threads));
}

}  // namespace tg
