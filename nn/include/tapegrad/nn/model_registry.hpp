#pragma once
// The model registry: classifiers by name, so that code, the command line
// (`tapegrad train --model mynet`), the search, the optimizer race and the checkpoint
// readers build them alike:
//   auto model = tg::nn::make_model("cnn", {.dropout = 0.5, .width = 2});
// The built-in models (tapegrad/train/models.hpp) are registered by libtapegrad_train,
// like any other. A user adds one
// with one statement at namespace scope, in their program or in a plug-in module loaded
// by `tapegrad train --plugin libmynet.so`:
//   tg::nn::ModulePtr make_mynet(const tg::nn::ModelOptions& options);
//   TAPEGRAD_REGISTER_MODEL("mynet", make_mynet, "one-line description");
// or, to declare which options the model reads and add checks of its own:
//   TAPEGRAD_REGISTER_MODEL_INFO((tg::nn::ModelInfo{.name = "mynet", .factory = make_mynet, .uses_width = true}));
// Parameters are initialized from the thread's default generator, so tg::manual_seed(s)
// before make_model makes the model reproducible.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tapegrad/nn/module.hpp"
#include "tapegrad/registration_capture.hpp"

namespace tg::nn {

struct ModelOptions {
  double dropout = 0.0;  // the dropout probability of the model's Dropout layers (0: none)
  std::int64_t classes = 10;
  std::int64_t width = 1;  // a channel and hidden-unit multiplier, for the models that declare uses_width
  // The shape [C, H, W] of one input image, so that a model can size its layers.
  std::vector<std::int64_t> input_shape{1, 28, 28};
};

using ModelFactory = std::function<ModulePtr(const ModelOptions& options)>;

struct ModelInfo {
  std::string name{};
  ModelFactory factory{};
  std::string doc{};  // one line
  // The options a model reads besides classes and input_shape. Giving one it does not
  // read a value other than its default is an error naming the model, not an option
  // silently ignored.
  bool uses_width = false;
  bool uses_dropout = true;
  // Checks of the model's own (say, an input size its pooling cannot take), run after
  // the common ones and before the factory; a problem is a tg::Error (TG_CHECK).
  std::function<void(const ModelOptions& options)> check{};
};

// Adds a model. An empty name or factory, and a name registered already, are tg::Errors
// at the call (the latter naming where each of the two registrations came from), unless
// a ModelRegistrationCapture is alive on this thread (then it records them).
void register_model(ModelInfo info);
void register_model(std::string name, ModelFactory factory, std::string doc);

// Collects the model registrations made on this thread while it is alive, and records a
// failed one instead of throwing it: a plug-in's registrations run in static initializers
// inside dlopen(), where an exception ends the process (the loader reports them after
// dlopen() returns, as optim::RegistrationCapture does for optimizers). origin names the
// module in messages ("plug-in 'libmynet.so'"). Captures nest; the innermost one collects.
class ModelRegistrationCapture : public RegistrationCaptureBase {
 public:
  explicit ModelRegistrationCapture(std::string origin);

  const std::string& origin() const { return origin_; }
  // names(): the names registered, in order; errors(): the failed registrations' messages.

 private:
  std::string origin_;
};

bool is_model_registered(std::string_view name);
// Every registered model, sorted by name.
std::vector<ModelInfo> registered_models();
// The registered names, sorted.
std::vector<std::string> model_names();
// The model called name, or a tg::Error listing the registered ones.
ModelInfo find_model(std::string_view name);
// One line per model, "name: doc (reads dropout, width)", for `tapegrad train --list-models`.
std::string describe_registered_models();

// The checks make_model does before building anything: a tg::Error for an unknown name,
// dropout outside [0, 1), fewer than 2 classes, a width outside [1, 16], an input shape
// that is not three positive sizes [C, H, W], a dropout or width other than the default
// for a model that does not read it, and the model's own check.
void check_model_options(const std::string& name, const ModelOptions& options);
// Checks the options, then builds the model with its factory.
ModulePtr make_model(const std::string& name, const ModelOptions& options = {});

// Registers at static-initialization time (TAPEGRAD_REGISTER_MODEL). It never throws,
// since an exception escaping a static initializer ends the process: a failed
// registration goes to the ModelRegistrationCapture alive on this thread, or else is
// kept and thrown as a tg::Error by the next lookup (find_model, make_model,
// registered_models, model_names), once.
struct ModelRegistration {
  explicit ModelRegistration(ModelInfo info) noexcept;
  // The same, naming origin (say, "tapegrad's built-in models") as where the model came
  // from in the registry's messages, instead of the program or the capturing plug-in.
  ModelRegistration(ModelInfo info, std::string origin) noexcept;
};

}  // namespace tg::nn

#define TAPEGRAD_NN_CONCAT_INNER(a, b) a##b
#define TAPEGRAD_NN_CONCAT(a, b) TAPEGRAD_NN_CONCAT_INNER(a, b)
// TAPEGRAD_REGISTER_MODEL_INFO(info), at namespace scope: info is a ModelInfo expression
// (in parentheses when it has commas outside parentheses, as a braced initializer does).
#define TAPEGRAD_REGISTER_MODEL_INFO(info)                                                                  \
  static const ::tg::nn::ModelRegistration TAPEGRAD_NN_CONCAT(tapegrad_model_registration_, __LINE__) { \
    info                                                                                                    \
  }
// TAPEGRAD_REGISTER_MODEL("name", factory) or TAPEGRAD_REGISTER_MODEL("name", factory, "one-line doc"),
// at namespace scope. The model reads dropout, not width (see ModelInfo).
#define TAPEGRAD_REGISTER_MODEL(name, factory, ...) \
  TAPEGRAD_REGISTER_MODEL_INFO((::tg::nn::ModelInfo{name, factory __VA_OPT__(, ) __VA_ARGS__}))
