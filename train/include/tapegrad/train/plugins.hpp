#pragma once
// Plug-ins: shared modules whose static registrations (TAPEGRAD_REGISTER_OPTIMIZER,
// TAPEGRAD_REGISTER_MODEL) add optimizers and models to the registries when loaded.
#include <string>
#include <vector>

namespace tg::train {

// What a module registered, in order.
struct LoadedPlugin {
  std::string path{};
  std::vector<std::string> optimizers{};
  std::vector<std::string> models{};
};

// dlopen()s the module for good (it is never unloaded: what it registered stays
// registered). Each of these is a tg::Error naming the module: a file that cannot be
// loaded (with the loader's message), a module that is loaded already (the same file
// twice, under any path, registers nothing the second time), a registration that fails
// (a name that is registered already, by tapegrad or another plug-in, or an empty name),
// and a module that registers neither an optimizer nor a model. What the module
// registered before a failed registration stays registered.
LoadedPlugin load_plugin(const std::string& path);

// "--plugin 'libmynet.so': model mynet; optimizers a, b".
std::string describe(const LoadedPlugin& plugin);

}  // namespace tg::train
