#pragma once
// The common part of the registries' captures (nn::ModelRegistrationCapture,
// optim::RegistrationCapture). A registry fills at static initialization, where an
// exception ends the process, and a plug-in's registrations run inside dlopen(); so the
// loader keeps a capture alive around dlopen(), the registry records each registration
// made on this thread into it (the names, and the messages of the failed ones instead of
// throwing them), and the loader reports them once dlopen() has returned. Captures nest:
// each registry keeps one thread_local pointer to its innermost capture, and a capture
// restores the outer one when it ends.
#include <string>
#include <vector>

#include "tapegrad/error.hpp"

namespace tg {

class RegistrationCaptureBase {
 public:
  RegistrationCaptureBase(const RegistrationCaptureBase&) = delete;
  RegistrationCaptureBase& operator=(const RegistrationCaptureBase&) = delete;

  // The names registered, in order.
  const std::vector<std::string>& names() const { return names_; }
  // The failed registrations' messages.
  const std::vector<std::string>& errors() const { return errors_; }

  // For a registry: records into its innermost capture (not null).
  static void record_name(RegistrationCaptureBase* innermost, std::string name) {
    innermost->names_.push_back(std::move(name));
  }
  static void record_error(RegistrationCaptureBase* innermost, std::string message) {
    innermost->errors_.push_back(std::move(message));
  }

 protected:
  // Becomes the innermost capture of the registry whose thread_local pointer is innermost.
  explicit RegistrationCaptureBase(RegistrationCaptureBase*& innermost) : innermost_(innermost), outer_(innermost) {
    innermost = this;
  }
  ~RegistrationCaptureBase() { innermost_ = outer_; }

 private:
  RegistrationCaptureBase*& innermost_;
  RegistrationCaptureBase* outer_;
  std::vector<std::string> names_{};
  std::vector<std::string> errors_{};
};

// The names of a registry's name -> entry map, in the map's order.
template <class Map>
std::vector<std::string> registered_names(const Map& entries) {
  std::vector<std::string> names;
  names.reserve(entries.size());
  for (const auto& entry : entries) names.push_back(entry.first);
  return names;
}

// A registration that failed at static initialization outside any capture is kept in
// errors for the registry's next lookup, which throws it once: "<what> at static
// initialization failed: <messages>".
inline void throw_kept_registration_errors(std::vector<std::string>& errors, const char* what) {
  if (errors.empty()) return;
  std::string joined;
  for (const std::string& e : errors) joined += (joined.empty() ? "" : "; ") + e;
  errors.clear();
  fail("{} at static initialization failed: {}", what, joined);
}

}  // namespace tg
