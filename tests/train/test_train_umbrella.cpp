// The umbrella header holds every public header of the training layer: a header added to
// train/include without being added here fails this test.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <tapegrad/train/train.hpp>

#ifndef TAPEGRAD_TRAIN_INCLUDE_DIR
#error "TAPEGRAD_TRAIN_INCLUDE_DIR is defined by tests/CMakeLists.txt"
#endif

TEST_CASE("train.hpp includes every public header of train/include") {
  const std::filesystem::path root = TAPEGRAD_TRAIN_INCLUDE_DIR;
  std::ifstream umbrella(root / "tapegrad/train/train.hpp");
  std::stringstream text;
  text << umbrella.rdbuf();
  std::string missing;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root / "tapegrad/train")) {
    const std::string header = std::filesystem::relative(entry.path(), root).string();
    if (entry.path().extension() != ".hpp" || header == "tapegrad/train/train.hpp") continue;
    if (text.str().find("#include <" + header + ">") == std::string::npos) missing += header + " ";
  }
  CHECK_MESSAGE(missing.empty(), "not in train.hpp: " << missing);
}
