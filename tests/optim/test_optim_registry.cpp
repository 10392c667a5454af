// The optimizer registry: listing, creation by name with typed options, the errors for
// unknown names / unknown options / wrong types / values out of range, key=value parsing
// for the command line, and a user optimizer registered only here, in test code.
#include <doctest/doctest.h>

#include <algorithm>
#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>
#include <type_traits>

#include "tensor_values.hpp"

using tg::Tensor;
namespace optim = tg::optim;

namespace {

using tg::test::param;

// A user's optimizer, written against the public API only: signSGD, x -= lr * sign(dx).
class SignSgd final : public optim::FirstOrderOptimizer {
 public:
  static std::vector<optim::OptionSpec> options() {
    return optim::with_first_order_options(
        {optim::number_option("lr", 0.01, "step per coordinate", optim::at_least(0))});
  }
  SignSgd(std::vector<optim::ParamGroup> groups, const optim::Options& options)
      : FirstOrderOptimizer("sign_sgd", SignSgd::options(), std::move(groups), options) {}

 protected:
  void update(const optim::ParamGroup& group, const optim::GradientTransform& transform, const Tensor& param,
              const Tensor& grad, optim::ParamState& state) override {
    const double lr = group.options.number("lr");
    const auto x = optim::mutable_span<double>(param);
    const auto dx = optim::const_span<double>(grad);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double g = transform.scale * dx[i];
      x[i] -= lr * static_cast<double>((g > 0) - (g < 0));
    }
    optim::increment_counter(state, "updates");
  }
};

// One statement registers it; from then on it is created by name like a built-in.
TAPEGRAD_REGISTER_OPTIMIZER(SignSgd, "sign_sgd", "signSGD: x -= lr * sign(dx)");

const std::vector<std::string> kBuiltins = {"adagrad", "adam",     "adamw",   "lbfgs", "momentum",
                                            "nesterov", "newton", "rmsprop", "sgd"};

}  // namespace

TEST_CASE("optim registry lists every built-in with its options, types, defaults and docs") {
  std::vector<std::string> names;
  for (const optim::OptimizerInfo& info : optim::registered()) {
    names.push_back(info.name);
    CHECK_FALSE(info.doc.empty());
    for (const optim::OptionSpec& spec : info.options) {
      CAPTURE(info.name);
      CAPTURE(spec.name);
      CHECK_FALSE(spec.doc.empty());
      CHECK(optim::validate_option(info.name, spec, spec.default_value) == spec.default_value);  // defaults are valid
    }
  }
  CHECK(std::is_sorted(names.begin(), names.end()));
  for (const std::string& name : kBuiltins) CHECK(std::find(names.begin(), names.end(), name) != names.end());

  const optim::OptimizerInfo momentum = optim::find_optimizer("momentum");
  std::vector<std::string> option_names;
  for (const auto& spec : momentum.options) option_names.push_back(spec.name);
  CHECK(option_names == std::vector<std::string>{"lr", "momentum", "rho_form", "dampening", "weight_decay",
                                                 "clip_norm", "clip_value", "maximize"});
  CHECK(momentum.options[2].type == optim::OptionType::boolean);
  CHECK(optim::find_optimizer("lbfgs").options[1].type == optim::OptionType::integer);
  const std::string listing = optim::describe_registered();
  CHECK(listing.find("adam: Adam with bias correction") != std::string::npos);
  CHECK(listing.find("beta2") != std::string::npos);
  CHECK(listing.find("0 <= beta2 < 1") != std::string::npos);
}

TEST_CASE("optim::create: typed options from a literal, numbers, integers and booleans") {
  Tensor x = param({1, 2});
  auto opt = optim::create("adam", {x}, {{"lr", 1e-3}, {"beta2", 0.99}, {"maximize", true}});
  CHECK(opt->name() == "adam");
  CHECK(opt->option(0, "beta2").to_number() == 0.99);
  CHECK(opt->option(0, "beta1").to_number() == 0.9);  // the default
  CHECK(opt->option(0, "maximize").to_boolean());
  auto lbfgs = optim::create("lbfgs", {x}, {{"lr", 1}, {"history_size", 5}, {"max_iter", 3.0}});
  CHECK(lbfgs->option(0, "lr").type() == optim::OptionType::number);  // an integer literal for a number
  CHECK(lbfgs->option(0, "history_size").to_integer() == 5);
  CHECK(lbfgs->option(0, "max_iter").to_integer() == 3);  // an integral number for an integer
  static_assert(!std::is_convertible_v<const char*, optim::OptionValue>, "a string must not become a boolean");
  CHECK_THROWS_WITH_AS((optim::Options{{"lr", 0.1}, {"lr", 0.2}}), doctest::Contains("options: 'lr' is given twice"),
                       tg::Error);
}

TEST_CASE("optim::create errors list what is accepted") {
  Tensor x = param({1});
  CHECK_THROWS_WITH_AS(optim::create("adamm", {x}),
                       doctest::Contains("optim::create: unknown optimizer 'adamm' (did you mean 'adam'?); registered: "
                                         "adagrad, adam, adamw, lbfgs, momentum, nesterov, newton, rmsprop"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(optim::create("adam", {x}, {{"betta1", 0.9}}),
                       doctest::Contains("adam: unknown option 'betta1' (did you mean 'beta1'?); options: lr, beta1, "
                                         "beta2, eps, amsgrad, weight_decay, clip_norm, clip_value, maximize"),
                       tg::Error);
  // Wrong types.
  CHECK_THROWS_WITH_AS(optim::create("adam", {x}, {{"lr", true}}),
                       doctest::Contains("adam: option 'lr' must be a number, got the boolean true"), tg::Error);
  CHECK_THROWS_WITH_AS(optim::create("adam", {x}, {{"maximize", 1}}),
                       doctest::Contains("adam: option 'maximize' must be true or false, got the integer 1"), tg::Error);
  CHECK_THROWS_WITH_AS(optim::create("lbfgs", {x}, {{"history_size", 2.5}}),
                       doctest::Contains("lbfgs: option 'history_size' must be an integer, got 2.5"), tg::Error);
  // Out of range.
  CHECK_THROWS_WITH_AS(optim::create("sgd", {x}, {{"lr", -0.1}}),
                       doctest::Contains("sgd: option 'lr' must satisfy lr >= 0, got -0.1"), tg::Error);
  CHECK_THROWS_WITH_AS(optim::create("adam", {x}, {{"beta1", 1.0}}),
                       doctest::Contains("adam: option 'beta1' must satisfy 0 <= beta1 < 1, got 1"), tg::Error);
  CHECK_THROWS_WITH_AS(optim::create("adam", {x}, {{"beta2", -0.5}}),
                       doctest::Contains("option 'beta2' must satisfy 0 <= beta2 < 1, got -0.5"), tg::Error);
  CHECK_THROWS_WITH_AS(optim::create("rmsprop", {x}, {{"eps", 0.0}}),
                       doctest::Contains("rmsprop: option 'eps' must satisfy eps > 0, got 0"), tg::Error);
  CHECK_THROWS_WITH_AS(optim::create("momentum", {x}, {{"momentum", 1.5}}),
                       doctest::Contains("option 'momentum' must satisfy 0 <= momentum < 1"), tg::Error);
  CHECK_THROWS_WITH_AS(optim::create("lbfgs", {x}, {{"history_size", 0}}),
                       doctest::Contains("option 'history_size' must satisfy history_size >= 1, got 0"), tg::Error);
  CHECK_THROWS_WITH_AS(optim::create("sgd", {x}, {{"lr", std::nan("")}}), doctest::Contains("must be finite"),
                       tg::Error);
  // Per-group options are checked the same way.
  std::vector<optim::ParamGroup> groups(1);
  groups[0].params = {x};
  groups[0].options = {{"lr", -1}};
  CHECK_THROWS_WITH_AS(optim::create("adam", groups), doctest::Contains("adam: option 'lr' must satisfy lr >= 0"),
                       tg::Error);
}

TEST_CASE("optim::parse_option reads key=value from a command line") {
  CHECK(optim::parse_option("lr=1e-3") == std::pair<std::string, optim::OptionValue>{"lr", 1e-3});
  CHECK(optim::parse_option("beta2=0.99").second.to_number() == 0.99);
  const auto history = optim::parse_option("history_size=10");
  CHECK(history.second.type() == optim::OptionType::integer);
  CHECK(history.second.to_integer() == 10);
  CHECK(optim::parse_option("maximize=true").second.to_boolean());
  CHECK_FALSE(optim::parse_option("rho_form=false").second.to_boolean());
  CHECK(optim::parse_option("weight_decay=-2").second.to_integer() == -2);
  CHECK(optim::parse_option("lr=+.5").second.to_number() == 0.5);

  CHECK_THROWS_WITH_AS(optim::parse_option("lr"), doctest::Contains("parse_option: expected key=value, got 'lr'"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(optim::parse_option("=3"), doctest::Contains("is not an option name"), tg::Error);
  CHECK_THROWS_WITH_AS(optim::parse_option("lr="), doctest::Contains("'lr=': no value after '='"), tg::Error);
  CHECK_THROWS_WITH_AS(optim::parse_option("lr=fast"),
                       doctest::Contains("'lr=fast': the value 'fast' is not a number (e.g. 0.01, 1e-3, 10) or true/false"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(optim::parse_option("lr=1e-3x"), doctest::Contains("is not a number"), tg::Error);
  CHECK_THROWS_WITH_AS(optim::parse_option("lr=inf"), doctest::Contains("is not a number"), tg::Error);
  CHECK_THROWS_WITH_AS(optim::parse_option("maximize=True"), doctest::Contains("is not a number"), tg::Error);

  // --optimizer adam --opt lr=0.01 --opt beta1=0.8, as `tapegrad train` will pass them.
  const std::vector<std::string> args = {"lr=0.01", "beta1=0.8"};
  Tensor x = param({1});
  auto opt = optim::create("adam", {x}, optim::parse_options(args));
  CHECK(opt->lr() == 0.01);
  CHECK(opt->option(0, "beta1").to_number() == 0.8);
  const std::vector<std::string> twice = {"lr=0.01", "lr=0.1"};
  CHECK_THROWS_WITH_AS(optim::parse_options(twice), doctest::Contains("option 'lr' is given twice"), tg::Error);
}

TEST_CASE("optim plug-in: a user optimizer registered in test code is created by name like a built-in") {
  CHECK(optim::is_registered("sign_sgd"));
  Tensor x = param({1, -2, 0});
  const std::vector<std::string> args = {"lr=0.5"};
  auto opt = optim::create("sign_sgd", {x}, optim::parse_options(args));
  tg::sum(x * x * x).backward();  // dx = 3x^2 = (3, 12, 0)
  opt->step();
  CHECK(x.to_vector<double>() == std::vector<double>{0.5, -2.5, 0});
  // It gets the shared options and the state dict for free.
  CHECK_THROWS_WITH_AS(optim::create("sign_sgd", {x}, {{"lrr", 1}}),
                       doctest::Contains("sign_sgd: unknown option 'lrr' (did you mean 'lr'?); options: lr, weight_decay"),
                       tg::Error);
  CHECK(opt->state_dict().at("state.0.0.updates").item() == 1);

  // The other form: register_optimizer with any factory, here reusing a built-in class.
  optim::register_optimizer({"sgd_fast", "sgd with lr 0.5 by default",
                             {optim::number_option("lr", 0.5, "learning rate", optim::at_least(0))},
                             [](std::vector<optim::ParamGroup> groups, const optim::Options& options) {
                               return std::make_unique<optim::Sgd>(std::move(groups), options);
                             }});
  Tensor y = param({1});
  auto fast = optim::create("sgd_fast", {y});
  CHECK(fast->lr() == 0.5);  // the registered defaults apply
  CHECK_THROWS_WITH_AS(optim::register_optimizer(optim::optimizer_info<SignSgd>("adam", "again")),
                       doctest::Contains("an optimizer named 'adam' is already registered"), tg::Error);
}
