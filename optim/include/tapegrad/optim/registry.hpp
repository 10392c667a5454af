#pragma once
// The optimizer registry: optimizers by name, with their typed options, so that code
// and the command line (`--optimizer adam --opt lr=1e-3`) create them alike:
//   auto opt = tg::optim::create("adam", model_params, {{"lr", 1e-3}, {"beta2", 0.99}});
// A user adds an optimizer from their own code with one statement at namespace scope:
//   TAPEGRAD_REGISTER_OPTIMIZER(MyOptimizer, "mine", "one-line description");
// where MyOptimizer derives from optim::Optimizer (or FirstOrderOptimizer), has a static
// options() returning its OptionSpecs, and a constructor (std::vector<ParamGroup>, const
// Options&). Or call register_optimizer() with an OptimizerInfo (any factory).
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tapegrad/optim/optimizer.hpp"
#include "tapegrad/registration_capture.hpp"

namespace tg::optim {

using OptimizerFactory =
    std::function<std::unique_ptr<Optimizer>(std::vector<ParamGroup> groups, const Options& options)>;

struct OptimizerInfo {
  std::string name{};
  std::string doc{};                  // one line
  std::vector<OptionSpec> options{};  // name, type, default, range, doc of each option
  OptimizerFactory factory{};
};

// Adds an optimizer; a name registered twice, or an empty name or factory, is a tg::Error
// at the call, unless a RegistrationCapture is alive on this thread (then it records it).
void register_optimizer(OptimizerInfo info);

// Collects the registrations made on this thread while it is alive, and records a failed
// one instead of throwing it. Loading a plug-in needs this: its registrations run in
// static initializers inside dlopen(), where an exception cannot be caught and ends the
// process (std::terminate). The loader opens a capture around dlopen() and reports what
// it collected as a tg::Error once dlopen() has returned. Captures nest; the innermost
// one collects.
class RegistrationCapture : public RegistrationCaptureBase {
 public:
  RegistrationCapture();
  // names(): the names registered, in order; errors(): the failed registrations' messages
  // ("... an optimizer named 'adam' is already registered").
};

bool is_registered(std::string_view name);
// Every registered optimizer, sorted by name.
std::vector<OptimizerInfo> registered();
// The optimizer called name, or an error listing the registered ones.
OptimizerInfo find_optimizer(std::string_view name);
// A readable listing: each optimizer, its doc, and its options with type, default,
// allowed range and doc (for --help and `tapegrad train --list-optimizers`).
std::string describe_registered();

// Builds the named optimizer. Unknown names, unknown options, wrong types and values
// out of range are tg::Errors that list what is accepted.
std::unique_ptr<Optimizer> create(std::string_view name, std::vector<Tensor> params, const Options& options = {});
std::unique_ptr<Optimizer> create(std::string_view name, std::vector<ParamGroup> groups, const Options& options = {});

template <class OptimizerClass>
OptimizerInfo optimizer_info(std::string name, std::string doc) {
  return {std::move(name), std::move(doc), OptimizerClass::options(),
          [](std::vector<ParamGroup> groups, const Options& options) -> std::unique_ptr<Optimizer> {
            return std::make_unique<OptimizerClass>(std::move(groups), options);
          }};
}

// Registers at static-initialization time (see TAPEGRAD_REGISTER_OPTIMIZER). It never
// throws, since an exception escaping a static initializer ends the process: a failed
// registration goes to the RegistrationCapture alive on this thread, or else is kept and
// thrown as a tg::Error by the next lookup (find_optimizer, create or registered), once.
struct OptimizerRegistration {
  explicit OptimizerRegistration(OptimizerInfo info) noexcept;
};

}  // namespace tg::optim

#define TAPEGRAD_OPTIM_CONCAT_INNER(a, b) a##b
#define TAPEGRAD_OPTIM_CONCAT(a, b) TAPEGRAD_OPTIM_CONCAT_INNER(a, b)
// TAPEGRAD_REGISTER_OPTIMIZER(Class, "name", "one-line doc"), at namespace scope.
#define TAPEGRAD_REGISTER_OPTIMIZER(Class, name, doc)                                               \
  static const ::tg::optim::OptimizerRegistration TAPEGRAD_OPTIM_CONCAT(tapegrad_optimizer_registration_, \
                                                                        __LINE__) {                 \
    ::tg::optim::optimizer_info<Class>(name, doc)                                                   \
  }
