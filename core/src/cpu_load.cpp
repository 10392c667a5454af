#include "tapegrad/cpu_load.hpp"

#include <dirent.h>
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

BusySeconds busy_seconds_from_proc_stat(std::string_view proc_stat, const std::vector<int>& cpus,
                                        double ticks_per_second) {
  double busy = 0, niced = 0;
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
    constexpr int kNiceColumn = 1;
    for (int column = 0; column < 8; ++column) {
      while (p < end && *p == ' ') ++p;
      unsigned long long value = 0;
      parsed = std::from_chars(p, end, value);
      if (parsed.ec != std::errc()) break;  // older kernels have fewer columns
      p = parsed.ptr;
      if (kBusyColumn[column]) busy += static_cast<double>(value);
      if (column == kNiceColumn) niced += static_cast<double>(value);
    }
  }
  return {busy / ticks_per_second, niced / ticks_per_second};
}

namespace {

// Sum of the run-queue waits of this process's threads: the second number of
// /proc/self/task/<tid>/schedstat, in nanoseconds.
double own_wait_seconds() {
  DIR* dir = opendir("/proc/self/task");
  if (dir == nullptr) return 0;
  double wait_ns = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    std::ifstream file(std::string("/proc/self/task/") + entry->d_name + "/schedstat");
    double run_ns = 0, waited_ns = 0;
    if (file >> run_ns >> waited_ns) wait_ns += waited_ns;
  }
  closedir(dir);
  return wait_ns * 1e-9;
}

}  // namespace

CpuTimes read_cpu_times() {
  static const std::vector<int> cpus = allowed_cpus();
  static const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  CpuTimes t;
  t.wall = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) t.own = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  t.own_wait = own_wait_seconds();
  std::ifstream file("/proc/stat");
  if (!file || ticks_per_second <= 0) return t;
  std::stringstream text;
  text << file.rdbuf();
  const BusySeconds busy = busy_seconds_from_proc_stat(text.str(), cpus, ticks_per_second);
  t.busy = busy.busy;
  t.niced = busy.niced;
  return t;
}

LoadWindow load_between(const CpuTimes& before, const CpuTimes& after, bool this_process_niced) {
  const double wall = after.wall - before.wall;
  // /proc/stat counts whole ticks (10 ms): a shorter window is mostly rounding.
  if (wall < 0.05 || after.busy <= 0 || before.busy <= 0) return {};
  LoadWindow w;
  const double own = after.own - before.own;
  w.others = std::max(0.0, ((after.busy - before.busy) - own) / wall);
  // A niced process's own time is in the nice column: then none of it is known to be others'.
  const double niced = (after.niced - before.niced) - (this_process_niced ? own : 0.0);
  w.others_niced = std::clamp(niced / wall, 0.0, w.others);
  // A thread that ended between the readings takes its wait with it.
  w.own_wait = std::max(0.0, (after.own_wait - before.own_wait) / wall);
  return w;
}

int threads_for_load(int cpus, double others, int max_threads) {
  const double spare = static_cast<double>(cpus) - others;
  const int threads = static_cast<int>(std::floor(spare + 0.5));
  return std::clamp(threads, 1, std::max(1, max_threads));
}

int ThreadCountPolicy::next(int current, const LoadWindow& window, double now) {
  // Run-queue wait, in CPUs, above which this process's threads are losing their CPUs.
  constexpr double kStarved = 0.2;
  const int all_load = threads_for_load(cpus_, window.others, max_);
  const int unniced_load = threads_for_load(cpus_, window.others - window.others_niced, max_);
  if (window.others_niced < 0.25) backoff_ = 2;  // no niced competitor (any more)
  if (current > all_load && window.own_wait >= kStarved && all_load < unniced_load) {
    held_until_ = now + backoff_;
    backoff_ = std::min(backoff_ * 2, 64.0);
    return all_load;
  }
  if (now < held_until_) return std::min(all_load, unniced_load);
  return unniced_load;
}

}  // namespace tg
