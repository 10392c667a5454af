#pragma once
// One thread pool: oneDNN and tapegrad's own kernels both run on OpenMP, so this
// sets the thread count for both (as OMP_NUM_THREADS does).
namespace tg {
void set_num_threads(int n);
int get_num_threads();
}  // namespace tg
