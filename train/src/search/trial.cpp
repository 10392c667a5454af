#include <tapegrad/train/search/trial.hpp>

#include <fmt/format.h>

namespace tg::train::search {

std::string checkpoint_file_name(double validation_accuracy, int stage, int trial) {
  return fmt::format("val{:.4f}-stage{}-trial{:02}.safetensors", validation_accuracy, stage, trial);
}

}  // namespace tg::train::search
