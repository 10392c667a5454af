// libFuzzer target: the text of a search results file, parsed as a resumed search does.
#include <string>

#include "fuzz_support.hpp"
#include <tapegrad/train/search/results.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const nlohmann::json header = tg::fuzz::results_header();
  try {
    const auto parsed = tg::train::search::parse_results(std::string(reinterpret_cast<const char*>(data), size),
                                                        header, "fuzz.jsonl");
    if (parsed.complete_bytes < 0 || static_cast<std::size_t>(parsed.complete_bytes) > size) std::abort();
  } catch (const tg::Error&) {
  }
  return 0;
}
