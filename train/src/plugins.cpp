#include <tapegrad/train/plugins.hpp>

#include <dlfcn.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>
#include <vector>

#include <tapegrad/error.hpp>
#include <tapegrad/nn/model_registry.hpp>
#include <tapegrad/optim/registry.hpp>

namespace tg::train {

namespace {

std::string joined(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> lines = a;
  lines.insert(lines.end(), b.begin(), b.end());
  return fmt::format("{}", fmt::join(lines, "; "));
}

// "model mynet", "optimizers a, b".
std::string listed(const char* noun, const std::vector<std::string>& names) {
  return fmt::format("{}{} {}", noun, names.size() == 1 ? "" : "s", fmt::join(names, ", "));
}

}  // namespace

LoadedPlugin load_plugin(const std::string& path) {
  // A bare file name would make dlopen search the library path instead of the folder.
  const std::string where = path.find('/') == std::string::npos ? "./" + path : path;
  // dlopen() of a module that is loaded already (found by its file, not its name) returns
  // it again without running its initializers: its registrations would silently not be new.
  if (dlopen(where.c_str(), RTLD_NOW | RTLD_NOLOAD) != nullptr)
    fail("--plugin: '{}' is loaded already (given twice, under another path, or part of tapegrad); "
         "a module registers its optimizers and models once",
         path);
  // The module's registrations run inside dlopen(), where a thrown error would end the
  // process: the captures collect them, and they are reported here, after it.
  const optim::RegistrationCapture optimizers;
  const nn::ModelRegistrationCapture models(fmt::format("plug-in '{}'", path));
  if (dlopen(where.c_str(), RTLD_NOW | RTLD_GLOBAL) == nullptr) {
    const char* why = dlerror();
    fail("--plugin: cannot load '{}': {}", path, why ? why : "unknown error");
  }
  if (!optimizers.errors().empty() || !models.errors().empty())
    fail("--plugin '{}': {}", path, joined(optimizers.errors(), models.errors()));
  TG_CHECK(!optimizers.names().empty() || !models.names().empty(),
           "--plugin '{}' registered no optimizer and no model (a plug-in registers each with "
           "TAPEGRAD_REGISTER_OPTIMIZER or TAPEGRAD_REGISTER_MODEL)",
           path);
  return {path, optimizers.names(), models.names()};
}

std::string describe(const LoadedPlugin& plugin) {
  std::vector<std::string> parts;
  if (!plugin.models.empty()) parts.push_back(listed("model", plugin.models));
  if (!plugin.optimizers.empty()) parts.push_back(listed("optimizer", plugin.optimizers));
  return fmt::format("--plugin '{}': {}", plugin.path, fmt::join(parts, "; "));
}

}  // namespace tg::train
