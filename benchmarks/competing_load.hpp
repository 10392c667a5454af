#pragma once
// A competing process for "under load" benchmarks: a child that spins on the CPU (at
// the given nice level) for as long as this object lives. Users run tapegrad on busy
// laptops and shared servers; a benchmark with one such process shows what they see.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace tg::bench {

enum class Load { idle = 0, busy = 1, niced = 2 };  // niced: the competitor runs at nice 19

inline const char* load_name(Load load) {
  switch (load) {
    case Load::idle: return "idle";
    case Load::busy: return "busy";
    case Load::niced: return "nice19";
  }
  return "?";
}

class CompetingLoad {
 public:
  explicit CompetingLoad(Load load) {
    if (load == Load::idle) return;
    child_ = fork();
    if (child_ == 0) {
      if (load == Load::niced) setpriority(PRIO_PROCESS, 0, 19);
      volatile unsigned long spin = 0;
      for (;;) spin = spin + 1;
    }
    usleep(100000);  // let the scheduler see it before the measurement starts
  }
  ~CompetingLoad() {
    if (child_ <= 0) return;
    kill(child_, SIGKILL);
    waitpid(child_, nullptr, 0);
  }
  CompetingLoad(const CompetingLoad&) = delete;
  CompetingLoad& operator=(const CompetingLoad&) = delete;

 private:
  pid_t child_ = -1;
};

}  // namespace tg::bench
