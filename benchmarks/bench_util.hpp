#pragma once
#include <tapegrad/parallel.hpp>

namespace tg::bench {

// Sets the thread count for one benchmark and restores the previous one after it.
class ThreadCountGuard {
 public:
  explicit ThreadCountGuard(int n) : previous_(get_num_threads()) { set_num_threads(n); }
  ~ThreadCountGuard() { set_num_threads(previous_); }
  ThreadCountGuard(const ThreadCountGuard&) = delete;
  ThreadCountGuard& operator=(const ThreadCountGuard&) = delete;

 private:
  int previous_;
};

}  // namespace tg::bench
