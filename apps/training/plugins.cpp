#include "training/plugins.hpp"

#include <dlfcn.h>

#include <tapegrad/error.hpp>

namespace tg::apps {

void load_plugin(const std::string& path) {
  // A bare file name would make dlopen search the library path instead of the folder.
  const std::string where = path.find('/') == std::string::npos ? "./" + path : path;
  if (dlopen(where.c_str(), RTLD_NOW | RTLD_GLOBAL) == nullptr) {
    const char* why = dlerror();
    fail("--plugin: cannot load '{}': {}", path, why ? why : "unknown error");
  }
}

}  // namespace tg::apps
