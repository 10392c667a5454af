#include "tapegrad/parallel.hpp"

#include <omp.h>

#include "tapegrad/error.hpp"

namespace tg {
void set_num_threads(int n) {
  TG_CHECK(n >= 1, "set_num_threads: need at least 1 thread, got {}", n);
  omp_set_num_threads(n);
}
int get_num_threads() { return omp_get_max_threads(); }
}  // namespace tg
