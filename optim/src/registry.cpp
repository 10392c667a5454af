#include "tapegrad/optim/registry.hpp"

#include <algorithm>

#include <fmt/ranges.h>

#include <cmath>
#include <exception>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "tapegrad/did_you_mean.hpp"

namespace tg::optim {

namespace {
struct Registry {
  std::mutex mutex;
  std::map<std::string, OptimizerInfo, std::less<>> entries;
  // Failed static registrations outside a RegistrationCapture, for the next lookup to throw.
  std::vector<std::string> static_errors;
};
Registry& registry() {
  static Registry r;  // constructed on first use: registrations run during static initialization
  return r;
}
void add(OptimizerInfo info) {
  TG_CHECK(!info.name.empty(), "optim::register_optimizer: empty optimizer name");
  TG_CHECK(static_cast<bool>(info.factory), "optim::register_optimizer: '{}' has no factory", info.name);
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  TG_CHECK(!r.entries.contains(info.name), "optim::register_optimizer: an optimizer named '{}' is already registered",
           info.name);
  std::string name = info.name;
  r.entries.emplace(std::move(name), std::move(info));
}
// Registrations run on the thread that loads the module, so the capture is per thread.
thread_local RegistrationCaptureBase* innermost_capture = nullptr;

class RegistrationRecorder {
 public:
  static bool capturing() { return innermost_capture != nullptr; }
  static void registered(std::string name) { RegistrationCaptureBase::record_name(innermost_capture, std::move(name)); }
  static void failed(std::string message) {
    if (capturing()) {
      RegistrationCaptureBase::record_error(innermost_capture, std::move(message));
      return;
    }
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    r.static_errors.push_back(std::move(message));
  }
};
}  // namespace

RegistrationCapture::RegistrationCapture() : RegistrationCaptureBase(innermost_capture) {}

void register_optimizer(OptimizerInfo info) {
  std::string name = info.name;
  try {
    add(std::move(info));
  } catch (const Error& e) {
    if (!RegistrationRecorder::capturing()) throw;
    RegistrationRecorder::failed(e.what());
    return;
  }
  if (RegistrationRecorder::capturing()) RegistrationRecorder::registered(std::move(name));
}

OptimizerRegistration::OptimizerRegistration(OptimizerInfo info) noexcept {
  try {
    register_optimizer(std::move(info));
  } catch (const std::exception& e) {
    RegistrationRecorder::failed(e.what());
  }
}

bool is_registered(std::string_view name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  return r.entries.find(name) != r.entries.end();
}

std::vector<OptimizerInfo> registered() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  throw_kept_registration_errors(r.static_errors, "optim: a registration");
  std::vector<OptimizerInfo> out;
  for (const auto& [name, info] : r.entries) out.push_back(info);
  return out;
}

OptimizerInfo find_optimizer(std::string_view name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  throw_kept_registration_errors(r.static_errors, "optim: a registration");
  const auto it = r.entries.find(name);
  if (it == r.entries.end()) {
    const std::vector<std::string> names = registered_names(r.entries);
    fail("optim::create: unknown optimizer '{}'{}; registered: {}", name, did_you_mean(name, names),
         fmt::join(names, ", "));
  }
  return it->second;
}

std::string describe_registered() {
  std::string out;
  std::size_t width = 18;  // one column for every optimizer's option names
  for (const OptimizerInfo& info : registered())
    for (const OptionSpec& spec : info.options) width = std::max(width, spec.name.size());
  for (const OptimizerInfo& info : registered()) {
    out += fmt::format("{}: {}\n", info.name, info.doc);
    for (const OptionSpec& spec : info.options) {
      const bool numeric = spec.type != OptionType::boolean;
      out += fmt::format("  {:<{}} {:<8} default {:<8} {}{}\n", spec.name, width, option_type_name(spec.type),
                         spec.default_value.str(), spec.doc,
                         numeric && (std::isfinite(spec.range.min) || std::isfinite(spec.range.max))
                             ? " (" + spec.range.str(spec.name) + ")"
                             : std::string{});
    }
  }
  return out;
}

std::unique_ptr<Optimizer> create(std::string_view name, std::vector<ParamGroup> groups, const Options& options) {
  const OptimizerInfo info = find_optimizer(name);
  // Validated against the registered options (errors name the registered name); the
  // factory gets every option, so the registered defaults are the ones that apply.
  return info.factory(std::move(groups), resolve_options(info.name, info.options, options));
}

std::unique_ptr<Optimizer> create(std::string_view name, std::vector<Tensor> params, const Options& options) {
  return create(name, one_group(std::move(params)), options);
}

}  // namespace tg::optim
