#pragma once
// Where the time of a training step goes: wall time per op forward, per op backward,
// per optimizer step, and per named part inside them (layout copies of oneDNN
// operands), on the calling thread, while a Profiler is running.
//
//   tg::Profiler profiler;            // starts recording on this thread
//   for (int i = 0; i < 20; ++i) step();
//   tg::ProfileReport report = profiler.stop();
//   std::fputs(report.table().c_str(), stdout);
//
// Scopes nest: the layout copy inside a convolution is counted in its own row, and
// the convolution's row shows the time it spent outside its nested scopes ("self").
// Time outside every scope (the tape's bookkeeping between ops, user code) is the
// report's "outside any op" row, so the rows add up to the wall time.
//
// Cost: without a running Profiler each scope is one thread-local check; with one, two
// clock reads (about 40 ns), so ops of microseconds are measured with a few percent
// overhead. Work that other threads do inside a scope (OpenMP, oneDNN) is in its wall
// time.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace tg {

struct ProfileRow {
  std::string name;     // "conv2d", "conv2d backward", "optimizer step (adam)", ...
  std::int64_t calls = 0;
  double self_seconds = 0;   // inside the scope, outside scopes nested in it
  double total_seconds = 0;  // inside the scope
};

struct ProfileReport {
  double wall_seconds = 0;  // from start to stop
  std::int64_t steps = 0;   // as counted by Profiler::step(); 0 if never called
  std::vector<ProfileRow> rows;  // by self time, largest first; the last is "outside any op"

  // Milliseconds per step (per the whole run when steps is 0), share of the wall time,
  // calls per step. Aligned columns for a terminal.
  std::string table() const;
  std::string to_json() const;
};

class Profiler {
 public:
  Profiler();   // starts; a second running Profiler on the same thread is an error
  ~Profiler();  // stops if still running
  Profiler(const Profiler&) = delete;
  Profiler& operator=(const Profiler&) = delete;

  void step() { ++steps_; }  // marks the end of one step (for per-step figures)
  ProfileReport stop();      // stops recording and returns what was recorded

 private:
  std::chrono::steady_clock::time_point start_;
  std::int64_t steps_ = 0;
  bool running_ = true;
};

namespace profiler_detail {
struct ThreadState;
extern thread_local ThreadState* active;
void enter(const char* name, const char* suffix);
void leave();
}  // namespace profiler_detail

// Times the enclosing block under `name`, or "name suffix" ("conv2d backward"), when
// this thread's Profiler is running. Both must outlive the Profiler (string literals,
// op names).
class ProfileScope {
 public:
  explicit ProfileScope(const char* name, const char* suffix = nullptr) : on_(profiler_detail::active != nullptr) {
    if (on_) [[unlikely]]
      profiler_detail::enter(name, suffix);
  }
  ~ProfileScope() {
    if (on_) [[unlikely]]
      profiler_detail::leave();
  }
  ProfileScope(const ProfileScope&) = delete;
  ProfileScope& operator=(const ProfileScope&) = delete;

 private:
  bool on_;
};

}  // namespace tg
