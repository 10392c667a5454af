// tapegrad_step_memory: the peak resident memory of a whole process running training
// steps of a reference model (reference_models.hpp) on random data: the RSS before the
// model is built (the library's baseline), after building it, and the peak after the
// steps, from getrusage (ru_maxrss) and /proc/self/status (VmHWM), with the pool's own
// counters (tapegrad/memory_pool.hpp). Prints a table and one JSON line.
//
//   tapegrad_step_memory [mlp|cnn|cnn_bn] [steps] [threads]
//
// Defaults: cnn_bn, 20 steps, threads 0 (the default adaptive policy; n >= 1: fixed).
// Each measure needs a fresh process: the peak never goes down.
#include <sys/resource.h>

#include <charconv>
#include <cstdio>
#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>
#include <vector>
#include <stdexcept>
#include <string>
#include <string_view>

#include <tapegrad/memory_pool.hpp>
#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>

#include "reference_models.hpp"

namespace {

double mib(double bytes) { return bytes / (1024.0 * 1024.0); }

// A "Vm...:   123 kB" line of /proc/self/status, in bytes (0 when absent).
double proc_status_bytes(std::string_view field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, field.size(), field) != 0 || line.size() <= field.size() || line[field.size()] != ':') continue;
    return std::stod(line.substr(field.size() + 1)) * 1024.0;
  }
  return 0;
}

double rss_now() { return proc_status_bytes("VmRSS"); }
double peak_vm_hwm() { return proc_status_bytes("VmHWM"); }
double peak_ru_maxrss() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) * 1024.0;  // kilobytes on Linux
}

// Resident bytes by mapping of /proc/self/smaps (a file's path, [heap], [stack], or
// "anonymous", which holds the pool's arena), largest first.
std::vector<std::pair<double, std::string>> rss_by_mapping() {
  std::ifstream in("/proc/self/smaps");
  std::map<std::string, double> by_name;
  std::string line, name = "anonymous";
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string range, perms, offset, device, inode, path;
    fields >> range >> perms;
    if (range.empty()) continue;
    if (range.back() == ':') {  // "Rss:  123 kB" and the other counters of the mapping above
      if (range == "Rss:") by_name[name] += std::stod(perms) * 1024.0;
      continue;
    }
    fields >> offset >> device >> inode >> path;  // "start-end perms offset dev inode [path]"
    name = path.empty() ? "anonymous" : path;
  }
  std::vector<std::pair<double, std::string>> out;
  for (const auto& [n, bytes] : by_name) out.emplace_back(bytes, n);
  std::sort(out.rbegin(), out.rend());
  return out;
}

int parse_count(const char* text, const char* what, int least) {
  int value = 0;
  const std::string_view s(text);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size() || value < least)
    throw std::invalid_argument(std::string("tapegrad_step_memory: ") + what + " '" + text +
                                "' is not an integer >= " + std::to_string(least));
  return value;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc > 4) throw std::invalid_argument("usage: tapegrad_step_memory [mlp|cnn|cnn_bn] [steps] [threads]");
  const std::string model_name = argc > 1 ? argv[1] : "cnn_bn";
  const tg::bench::Model kind = tg::bench::parse_model(model_name, "tapegrad_step_memory");
  const int steps = argc > 2 ? parse_count(argv[2], "steps", 1) : 20;
  const int threads = argc > 3 ? parse_count(argv[3], "threads", 0) : 0;
  if (threads > 0) tg::set_num_threads(threads);

  const double baseline = rss_now();
  tg::bench::ReferenceStep step = tg::bench::reference_step(kind);  // as the step benchmarks
  const double built = rss_now();

  // The pool's large blocks in use between steps (parameters, gradients, optimizer
  // state, data) and after the forward (those and what the tape saved for backward).
  double loss = 0, between_steps = 0, after_forward = 0;
  for (int i = 0; i < steps; ++i) {
    step.optimizer->zero_grad();
    tg::Tensor l = step.loss();
    after_forward = static_cast<double>(tg::pool::stats().in_use);
    l.backward();
    step.optimizer->step();
    loss = l.item<double>();
    l = tg::Tensor{};
    between_steps = static_cast<double>(tg::pool::stats().in_use);
  }
  const double after = rss_now(), hwm = peak_vm_hwm(), maxrss = peak_ru_maxrss();
  const tg::pool::Stats pool = tg::pool::stats();
  const int used_threads = tg::get_num_threads();

  std::printf("peak memory of %d %s training steps (batch %lld, %d threads, %s policy)\n", steps, model_name.c_str(),
              static_cast<long long>(step.work.input_shape[0]), used_threads, threads > 0 ? "fixed" : "adaptive");
  std::printf("  %-40s %8.1f MiB\n", "RSS before the model (baseline)", mib(baseline));
  std::printf("  %-40s %8.1f MiB\n", "RSS after building model and data", mib(built));
  std::printf("  %-40s %8.1f MiB\n", "RSS after the steps", mib(after));
  std::printf("  %-40s %8.1f MiB\n", "peak RSS (VmHWM)", mib(hwm));
  std::printf("  %-40s %8.1f MiB\n", "peak RSS (getrusage ru_maxrss)", mib(maxrss));
  std::printf("  %-40s %8.1f MiB\n", "peak - baseline", mib(hwm - baseline));
  std::printf("  %-40s %8.1f MiB\n", "pool: in use between steps", mib(between_steps));
  std::printf("  %-40s %8.1f MiB\n", "pool: in use after the forward", mib(after_forward));
  std::printf("  %-40s %8.1f MiB\n", "pool: large blocks in use, peak", mib(static_cast<double>(pool.peak_in_use)));
  std::printf("  %-40s %8.1f MiB\n", "pool: in use + cached, peak", mib(static_cast<double>(pool.peak_held)));
  std::printf("  %-40s %8.1f MiB\n", "pool: cached now", mib(static_cast<double>(pool.cached)));
  std::printf("  resident by mapping after the steps (largest 6):\n");
  const auto mappings = rss_by_mapping();
  for (std::size_t i = 0; i < mappings.size() && i < 6; ++i) {
    const std::string& n = mappings[i].second;
    std::printf("    %-38s %8.1f MiB\n", (n.size() > 38 ? "..." + n.substr(n.size() - 35) : n).c_str(),
                mib(mappings[i].first));
  }
  std::printf("{\"model\": \"%s\", \"steps\": %d, \"threads\": %d, \"policy\": \"%s\", \"baseline_mib\": %.3f, "
              "\"built_mib\": %.3f, \"after_mib\": %.3f, \"peak_vmhwm_mib\": %.3f, \"peak_maxrss_mib\": %.3f, "
              "\"pool_between_steps_mib\": %.3f, \"pool_after_forward_mib\": %.3f, \"pool_peak_in_use_mib\": %.3f, "
              "\"pool_peak_held_mib\": %.3f, \"loss\": %.6g}\n",
              model_name.c_str(), steps, used_threads, threads > 0 ? "fixed" : "adaptive", mib(baseline), mib(built),
              mib(after), mib(hwm), mib(maxrss), mib(between_steps), mib(after_forward), mib(static_cast<double>(pool.peak_in_use)),
              mib(static_cast<double>(pool.peak_held)), loss);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "%s\n", e.what());
  return 2;
}
