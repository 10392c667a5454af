#pragma once
// tg::Error: every user mistake is reported by throwing this, with a message that
// names the op and the offending shapes, dtypes or options.
#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace tg {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

template <class... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw Error(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace tg

// TG_CHECK(cond, "op: what went wrong {}", value): throws tg::Error when cond is false.
#define TG_CHECK(cond, ...)        \
  do {                             \
    if (!(cond)) ::tg::fail(__VA_ARGS__); \
  } while (0)
