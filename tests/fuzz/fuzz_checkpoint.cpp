// libFuzzer target: a checkpoint file loaded into a module, as `tapegrad train --init-from`
// and `--ensemble` do: load_checkpoint, then Module::load_state_dict, strict and not.
#include <tapegrad/nn/checkpoint.hpp>
#include <tapegrad/tapegrad.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const tg::nn::ModulePtr model = tg::fuzz::checkpoint_model();
  try {
    const tg::nn::Checkpoint checkpoint = tg::nn::load_checkpoint(tg::fuzz::write_scratch(data, size));
    try {
      model->load_state_dict(checkpoint.model_state, /*strict=*/true);
    } catch (const tg::Error&) {
    }
    model->load_state_dict(checkpoint.model_state, /*strict=*/false);
  } catch (const tg::Error&) {
  }
  return 0;
}
