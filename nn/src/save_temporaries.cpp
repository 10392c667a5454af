#include "save_temporaries.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <optional>
#include <random>
#include <string_view>
#include <system_error>
#include <thread>

namespace tg::nn::save_temporaries {

namespace {

constexpr std::string_view kMarker = ".tmp-";
constexpr std::size_t kRandomDigits = 16;

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// The pid in "<target>.tmp-<pid>-<16 hex digits>", or nothing for any other name.
std::optional<pid_t> temporary_file_pid(std::string_view name) {
  const std::size_t marker = name.rfind(kMarker);
  if (marker == std::string_view::npos || marker == 0) return std::nullopt;
  const std::string_view rest = name.substr(marker + kMarker.size());  // "<pid>-<hex>"
  const std::size_t dash = rest.find('-');
  if (dash == std::string_view::npos || rest.size() - dash - 1 != kRandomDigits) return std::nullopt;
  for (const char c : rest.substr(dash + 1))
    if (!is_lower_hex(c)) return std::nullopt;
  pid_t pid = 0;
  const std::string_view digits = rest.substr(0, dash);
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  if (error != std::errc{} || end != digits.data() + digits.size() || pid <= 0) return std::nullopt;
  return pid;
}

bool process_is_gone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

double environment_number(const char* name) {
  const char* text = std::getenv(name);
  if (text == nullptr) return 0;
  char* end = nullptr;
  const double value = std::strtod(text, &end);
  return end != text && *end == '\0' && value > 0 ? value : 0;
}

}  // namespace

std::string temporary_path_for(const std::string& path) {
  std::random_device device;
  const std::uint64_t random = (std::uint64_t{device()} << 32) ^ device();
  return fmt::format("{}{}{}-{:0{}x}", path, kMarker, static_cast<long>(::getpid()), random, kRandomDigits);
}

std::size_t remove_stale(const std::string& path) {
  std::filesystem::path folder = std::filesystem::path(path).parent_path();
  if (folder.empty()) folder = ".";
  std::error_code error;
  std::filesystem::directory_iterator it(folder, error);
  std::size_t removed = 0;
  for (; !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    const std::optional<pid_t> pid = temporary_file_pid(it->path().filename().native());
    std::error_code ignored;
    if (!pid || *pid == ::getpid() || !it->is_regular_file(ignored) || !process_is_gone(*pid)) continue;
    removed += std::filesystem::remove(it->path(), ignored) ? 1 : 0;
  }
  return removed;
}

void pause_for_tests() {
  if (const double seconds = environment_number("TAPEGRAD_TEST_PAUSE_IN_SAVE"); seconds > 0)
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

bool fail_for_tests() {
  const auto failing = static_cast<long>(environment_number("TAPEGRAD_TEST_FAIL_SAVE"));
  if (failing <= 0) return false;
  static std::atomic<long> saves{0};  // those made with the variable set
  return ++saves == failing;
}

}  // namespace tg::nn::save_temporaries
