// Where one training step of a reference model (reference_models.hpp) spends its time:
// tg::Profiler's table (ms per step per op forward, op backward, layout copy, optimizer)
// after warm-up steps.
//   tapegrad_step_profile [mlp|cnn|cnn_bn] [steps=50] [threads=1] [--json]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>

#include "reference_models.hpp"

int main(int argc, char** argv) {
  const std::string model = argc > 1 ? argv[1] : "cnn";
  const int steps = argc > 2 ? std::atoi(argv[2]) : 50;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 1;
  const bool json = argc > 4 && std::strcmp(argv[4], "--json") == 0;
  try {
    const tg::bench::Model kind = tg::bench::parse_model(model, "tapegrad_step_profile");
    TG_CHECK(steps > 0 && threads > 0, "tapegrad_step_profile: steps ({}) and threads ({}) must be positive", steps,
             threads);
    tg::set_num_threads(threads);
    tg::bench::ReferenceStep reference = tg::bench::reference_step(kind);
    auto step = [&] { reference.run(); };
    for (int i = 0; i < 5; ++i) step();  // primitives created, buffers pooled
    tg::Profiler profiler;
    for (int i = 0; i < steps; ++i) {
      step();
      profiler.step();
    }
    const tg::ProfileReport report = profiler.stop();
    if (json) {
      std::printf("%s\n", report.to_json().c_str());
    } else {
      std::printf("%s step, %d threads, %lld steps: %.1f GFLOP/s\n%s", model.c_str(), threads,
                  static_cast<long long>(report.steps), reference.work.flops_per_step * steps / report.wall_seconds / 1e9,
                  report.table().c_str());
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}
