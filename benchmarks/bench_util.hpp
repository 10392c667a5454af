#pragma once
#include <tapegrad/parallel.hpp>

namespace tg::bench {

// Sets the thread count for one benchmark (0: the adaptive default) and restores the
// previous setting after it.
class ThreadCountGuard {
 public:
  explicit ThreadCountGuard(int n) {
    if (n == 0) {
      set_num_threads_adaptive();
    } else {
      set_num_threads(n);
    }
  }

 private:
  ThreadSettingGuard previous_;
};

}  // namespace tg::bench
