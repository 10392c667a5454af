// libFuzzer target: a run-state file as `tapegrad train --resume` reads it (the
// safetensors file, then its metadata: counters, the history and checkpoint list as JSON).
#include <tapegrad/error.hpp>

#include "fuzz_support.hpp"
#include "run_state.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const tg::train::detail::RunState state = tg::train::detail::load_run_state(tg::fuzz::write_scratch(data, size));
    (void)state;
  } catch (const tg::Error&) {
  }
  return 0;
}
