#pragma once
// Optimizer plug-ins: shared modules whose static registrations
// (TAPEGRAD_REGISTER_OPTIMIZER) add optimizers to the registry when loaded.
#include <string>

namespace tg::apps {

// dlopen()s the module for good (it is never unloaded: its optimizers stay registered).
// A file that cannot be loaded is a tg::Error with the loader's message.
void load_plugin(const std::string& path);

}  // namespace tg::apps
