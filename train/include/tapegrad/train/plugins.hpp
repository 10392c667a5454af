#pragma once
// Optimizer plug-ins: shared modules whose static registrations
// (TAPEGRAD_REGISTER_OPTIMIZER) add optimizers to the registry when loaded.
#include <string>

namespace tg::train {

// dlopen()s the module for good (it is never unloaded: its optimizers stay registered).
// Each of these is a tg::Error naming the module: a file that cannot be loaded (with the
// loader's message), a module that is loaded already (the same file twice, under any
// path, registers nothing the second time), a registration that fails (a name that is
// registered already, by tapegrad or another plug-in), and a module that registers no
// optimizer. Optimizers the module registered before a failed one stay registered.
void load_plugin(const std::string& path);

}  // namespace tg::train
