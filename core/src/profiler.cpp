#include "tapegrad/profiler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <unordered_map>

#include "tapegrad/error.hpp"

namespace tg {

namespace profiler_detail {

using Clock = std::chrono::steady_clock;

struct Totals {
  std::int64_t calls = 0;
  double self = 0, total = 0;
};

struct Key {
  const char* name;
  const char* suffix;
  bool operator==(const Key&) const = default;
};
struct KeyHash {
  std::size_t operator()(const Key& k) const {
    return std::hash<const void*>()(k.name) * 31 + std::hash<const void*>()(k.suffix);
  }
};

struct Frame {
  Key key;
  Clock::time_point start;
  double nested = 0;  // seconds spent in scopes nested in this one
};

struct ThreadState {
  std::unordered_map<Key, Totals, KeyHash> totals;
  std::vector<Frame> stack;
};

thread_local ThreadState* active = nullptr;

void enter(const char* name, const char* suffix) { active->stack.push_back({{name, suffix}, Clock::now(), 0}); }

void leave() {
  if (active == nullptr) return;  // the Profiler stopped inside this scope
  ThreadState& s = *active;
  if (s.stack.empty()) return;  // a scope opened before the Profiler started
  const Frame f = s.stack.back();
  s.stack.pop_back();
  const double seconds = std::chrono::duration<double>(Clock::now() - f.start).count();
  Totals& t = s.totals[f.key];
  ++t.calls;
  t.total += seconds;
  t.self += seconds - f.nested;
  if (!s.stack.empty()) s.stack.back().nested += seconds;
}

}  // namespace profiler_detail

Profiler::Profiler() : start_(std::chrono::steady_clock::now()) {
  TG_CHECK(profiler_detail::active == nullptr, "tg::Profiler: a Profiler is already running on this thread");
  profiler_detail::active = new profiler_detail::ThreadState;
}

Profiler::~Profiler() {
  if (running_) stop();
}

ProfileReport Profiler::stop() {
  TG_CHECK(running_, "tg::Profiler::stop: the Profiler was already stopped");
  running_ = false;
  ProfileReport report;
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  report.steps = steps_;
  profiler_detail::ThreadState* s = profiler_detail::active;
  profiler_detail::active = nullptr;
  // One row per name: the same literal may have several addresses (one per library).
  std::map<std::string, profiler_detail::Totals> by_name;
  double inside = 0;
  for (const auto& [key, t] : s->totals) {
    auto& row = by_name[key.suffix ? fmt::format("{} {}", key.name, key.suffix) : std::string(key.name)];
    row.calls += t.calls;
    row.self += t.self;
    row.total += t.total;
    inside += t.self;
  }
  delete s;
  for (const auto& [name, t] : by_name) report.rows.push_back({name, t.calls, t.self, t.total});
  std::sort(report.rows.begin(), report.rows.end(),
            [](const ProfileRow& a, const ProfileRow& b) { return a.self_seconds > b.self_seconds; });
  report.rows.push_back({"outside any op", 0, std::max(0.0, report.wall_seconds - inside),
                         std::max(0.0, report.wall_seconds - inside)});
  return report;
}

std::string ProfileReport::table() const {
  const double per = steps > 0 ? static_cast<double>(steps) : 1.0;
  std::string out = fmt::format("{:>10} {:>7} {:>10}  {}\n", steps > 0 ? "ms/step" : "ms", "share", "calls/step", "");
  for (const ProfileRow& r : rows)
    out += fmt::format("{:>10.3f} {:>6.1f}% {:>10.3g}  {}\n", 1e3 * r.self_seconds / per,
                       wall_seconds > 0 ? 100 * r.self_seconds / wall_seconds : 0.0, r.calls / per, r.name);
  out += fmt::format("{:>10.3f} {:>6.1f}% {:>10}  wall time\n", 1e3 * wall_seconds / per, 100.0, "");
  return out;
}

std::string ProfileReport::to_json() const {
  std::string out = fmt::format("{{\"wall_seconds\": {}, \"steps\": {}, \"rows\": [", wall_seconds, steps);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const ProfileRow& r = rows[i];
    std::string name;
    for (char c : r.name) name += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    out += fmt::format("{}{{\"name\": \"{}\", \"calls\": {}, \"self_seconds\": {}, \"total_seconds\": {}}}",
                       i ? ", " : "", name, r.calls, r.self_seconds, r.total_seconds);
  }
  return out + "]}";
}

}  // namespace tg
