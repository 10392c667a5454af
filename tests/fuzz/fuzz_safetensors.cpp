// libFuzzer target: load_safetensors on arbitrary bytes. A tensor it returns must be
// readable to its last byte.
#include <tapegrad/nn/safetensors.hpp>
#include <tapegrad/tapegrad.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    std::map<std::string, std::string> metadata;
    for (const auto& [name, tensor] : tg::nn::load_safetensors(tg::fuzz::write_scratch(data, size), &metadata))
      if (tensor.numel() > 0) (void)tg::sum(tensor.to(tg::f64)).item();
  } catch (const tg::Error&) {
  }
  return 0;
}
