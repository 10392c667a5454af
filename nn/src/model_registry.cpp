#include "tapegrad/nn/model_registry.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <exception>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "tapegrad/did_you_mean.hpp"
#include "tapegrad/error.hpp"

namespace tg::nn {

namespace {

constexpr const char* kProgramOrigin = "the program";

struct Entry {
  ModelInfo info;
  std::string origin;  // where it was registered, for the message of a second registration
};

struct Registry {
  std::mutex mutex;
  std::map<std::string, Entry, std::less<>> entries;
  // Failed static registrations outside a capture, for the next lookup to throw.
  std::vector<std::string> static_errors;
};

void add_locked(Registry& r, ModelInfo info, const std::string& origin) {
  TG_CHECK(!info.name.empty(), "nn::register_model: empty model name");
  TG_CHECK(static_cast<bool>(info.factory), "nn::register_model: model '{}' has no factory", info.name);
  if (const auto it = r.entries.find(info.name); it != r.entries.end())
    fail("nn::register_model: a model named '{}' is already registered, by {}; registered again by {}", info.name,
         it->second.origin, origin);
  std::string name = info.name;
  r.entries.emplace(std::move(name), Entry{std::move(info), origin});
}

Registry& registry() {
  static Registry r;  // constructed on first use: registrations run during static initialization
  return r;
}

// Registrations run on the thread that loads the module, so the capture is per thread.
thread_local RegistrationCaptureBase* innermost_capture = nullptr;

class ModelRegistrationRecorder {
 public:
  static bool capturing() { return innermost_capture != nullptr; }
  static std::string origin() {
    return capturing() ? static_cast<ModelRegistrationCapture*>(innermost_capture)->origin() : kProgramOrigin;
  }
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

ModelRegistrationCapture::ModelRegistrationCapture(std::string origin)
    : RegistrationCaptureBase(innermost_capture), origin_(std::move(origin)) {}

void register_model(ModelInfo info) {
  std::string name = info.name;
  try {
    Registry& r = registry();
    std::lock_guard lock(r.mutex);
    add_locked(r, std::move(info), ModelRegistrationRecorder::origin());
  } catch (const Error& e) {
    if (!ModelRegistrationRecorder::capturing()) throw;
    ModelRegistrationRecorder::failed(e.what());
    return;
  }
  if (ModelRegistrationRecorder::capturing()) ModelRegistrationRecorder::registered(std::move(name));
}

void register_model(std::string name, ModelFactory factory, std::string doc) {
  register_model(ModelInfo{.name = std::move(name), .factory = std::move(factory), .doc = std::move(doc)});
}

ModelRegistration::ModelRegistration(ModelInfo info) noexcept {
  try {
    register_model(std::move(info));
  } catch (const std::exception& e) {
    ModelRegistrationRecorder::failed(e.what());
  }
}

ModelRegistration::ModelRegistration(ModelInfo info, std::string origin) noexcept {
  std::vector<std::string> names;
  std::vector<std::string> errors;
  try {
    ModelRegistrationCapture capture(std::move(origin));
    register_model(std::move(info));
    names = capture.names();
    errors = capture.errors();
  } catch (const std::exception& e) {
    errors.emplace_back(e.what());
  }
  // What the inner capture collected goes where a registration without an origin would.
  if (ModelRegistrationRecorder::capturing())
    for (std::string& name : names) ModelRegistrationRecorder::registered(std::move(name));
  for (std::string& message : errors) ModelRegistrationRecorder::failed(std::move(message));
}

bool is_model_registered(std::string_view name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  return r.entries.find(name) != r.entries.end();
}

std::vector<ModelInfo> registered_models() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  throw_kept_registration_errors(r.static_errors, "nn: a model registration");
  std::vector<ModelInfo> out;
  for (const auto& [name, entry] : r.entries) out.push_back(entry.info);
  return out;
}

std::vector<std::string> model_names() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  throw_kept_registration_errors(r.static_errors, "nn: a model registration");
  return registered_names(r.entries);
}

ModelInfo find_model(std::string_view name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  throw_kept_registration_errors(r.static_errors, "nn: a model registration");
  const auto it = r.entries.find(name);
  if (it == r.entries.end()) {
    const std::vector<std::string> names = registered_names(r.entries);
    fail("make_model: unknown model '{}'{}; known models: {}", name, did_you_mean(name, names),
         fmt::join(names, ", "));
  }
  return it->second.info;
}

std::string describe_registered_models() {
  std::string out;
  for (const ModelInfo& info : registered_models()) {
    std::vector<std::string> reads;
    if (info.uses_dropout) reads.emplace_back("dropout");
    if (info.uses_width) reads.emplace_back("width");
    out += fmt::format("{}: {}{}\n", info.name, info.doc.empty() ? "(no description)" : info.doc,
                       reads.empty() ? "" : fmt::format(" (reads {})", fmt::join(reads, ", ")));
  }
  return out;
}

namespace {

void check_model_options(const ModelInfo& info, const ModelOptions& options) {
  TG_CHECK(options.dropout >= 0 && options.dropout < 1, "make_model: dropout must be in [0, 1), got {}",
           options.dropout);
  TG_CHECK(options.classes >= 2, "make_model: classes must be at least 2, got {}", options.classes);
  TG_CHECK(options.width >= 1 && options.width <= 16, "make_model: width must be in [1, 16], got {}", options.width);
  const auto& shape = options.input_shape;
  TG_CHECK(shape.size() == 3 && shape[0] >= 1 && shape[1] >= 1 && shape[2] >= 1,
           "make_model: input_shape must be three positive sizes [C, H, W], got [{}]", fmt::join(shape, ", "));
  if (options.width != 1 && !info.uses_width) {
    std::vector<std::string> with_width;
    for (const ModelInfo& other : registered_models())
      if (other.uses_width) with_width.push_back(other.name);
    fail("make_model: width {} applies to the {} only, not to '{}'", options.width, fmt::join(with_width, ", "),
         info.name);
  }
  TG_CHECK(options.dropout == 0 || info.uses_dropout,
           "make_model: dropout {} does not apply to '{}' (it has no dropout)", options.dropout, info.name);
  if (info.check) info.check(options);
}

}  // namespace

void check_model_options(const std::string& name, const ModelOptions& options) {
  check_model_options(find_model(name), options);
}

ModulePtr make_model(const std::string& name, const ModelOptions& options) {
  const ModelInfo info = find_model(name);
  check_model_options(info, options);
  ModulePtr model;
  // A plug-in's factory may throw anything; the message says which model failed.
  try {
    model = info.factory(options);
  } catch (const std::exception& e) {
    fail("make_model: building model '{}' failed: {}", name, e.what());
  }
  TG_CHECK(model != nullptr, "make_model: the factory of model '{}' returned no module", name);
  return model;
}

}  // namespace tg::nn
