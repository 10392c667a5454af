#include <tapegrad/train/plugins.hpp>

#include <dlfcn.h>

#include <string>
#include <vector>

#include <tapegrad/error.hpp>
#include <tapegrad/optim/registry.hpp>

namespace tg::train {

namespace {

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += (out.empty() ? "" : "; ") + line;
  return out;
}

}  // namespace

void load_plugin(const std::string& path) {
  // A bare file name would make dlopen search the library path instead of the folder.
  const std::string where = path.find('/') == std::string::npos ? "./" + path : path;
  // dlopen() of a module that is loaded already (found by its file, not its name) returns
  // it again without running its initializers: its optimizers would silently not be new.
  if (dlopen(where.c_str(), RTLD_NOW | RTLD_NOLOAD) != nullptr)
    fail("--plugin: '{}' is loaded already (given twice, under another path, or part of tapegrad); "
         "a module registers its optimizers once",
         path);
  // The module's registrations run inside dlopen(), where a thrown error would end the
  // process: the capture collects them, and they are reported here, after it.
  const optim::RegistrationCapture capture;
  if (dlopen(where.c_str(), RTLD_NOW | RTLD_GLOBAL) == nullptr) {
    const char* why = dlerror();
    fail("--plugin: cannot load '{}': {}", path, why ? why : "unknown error");
  }
  if (!capture.errors().empty()) fail("--plugin '{}': {}", path, joined(capture.errors()));
  TG_CHECK(!capture.names().empty(),
           "--plugin '{}' registered no optimizer (a plug-in registers each with TAPEGRAD_REGISTER_OPTIMIZER)", path);
}

}  // namespace tg::train
