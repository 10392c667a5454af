// Optimizer::load_state_dict refuses every state it could not use -- counts that are not
// integers in range, missing, unknown or malformed entries, buffers of the wrong shape or
// dtype -- with a message naming the entry, and leaves the optimizer as it was.
#include <doctest/doctest.h>

#include <algorithm>

#include <cmath>
#include <limits>
#include <string>

#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

using tg::Tensor;
namespace optim = tg::optim;

namespace {

const std::string max_count = std::to_string(optim::max_state_count);  // 2^53

Tensor f64_scalar(double v) { return tg::scalar_tensor(v, tg::f64); }

// w (f32 [4, 3]) and b (f64 [5]); one first-order step, or one closure step for the
// optimizers that need one, so that every optimizer has its state.
struct Problem {
  Tensor w, b;
  static Problem fresh() {
    tg::Generator gen(3);
    return {tg::randn({4, 3}, tg::f32, &gen).requires_grad_(), tg::randn({5}, tg::f64, &gen).requires_grad_()};
  }
  Tensor loss() const { return tg::sum(w * w).to(tg::f64) + tg::sum(b * b * b * b); }
  std::unique_ptr<optim::Optimizer> stepped(const std::string& name, int steps = 1) const {
    auto opt = optim::create(name, {w, b});
    for (int i = 0; i < steps; ++i) {
      if (name == "lbfgs" || name == "newton") {
        opt->step([&] { return loss(); });
      } else {
        opt->zero_grad();
        loss().backward();
        opt->step();
      }
    }
    return opt;
  }
};

// Same keys, and each tensor with the same shape, dtype and values.
bool same_state(const optim::StateDict& a, const optim::StateDict& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [key, value] : a) {
    const auto it = b.find(key);
    if (it == b.end() || it->second.shape() != value.shape() || it->second.dtype() != value.dtype() ||
        it->second.to_vector<double>() != value.to_vector<double>())
      return false;
  }
  return true;
}

optim::StateDict with(optim::StateDict dict, const std::string& key, const Tensor& value) {
  dict[key] = value;
  return dict;
}
optim::StateDict without(optim::StateDict dict, const std::string& key) {
  dict.erase(key);
  return dict;
}

const char* const all_optimizers[] = {"sgd",  "momentum", "nesterov", "adagrad", "rmsprop",
                                      "adam", "adamw",    "lbfgs",    "newton"};

}  // namespace

TEST_CASE("optim load_state_dict refuses steps that are not an integer in [0, 2^53]") {
  const Problem p = Problem::fresh();
  const optim::StateDict saved = p.stepped("adam")->state_dict();
  auto target = Problem::fresh().stepped("adam", 0);
  const std::string expected =
      "adam: load_state_dict: entry 'steps' must be an integer in [0, " + max_count + "], got ";
  CHECK_ERROR(target->load_state_dict(with(saved, "steps", f64_scalar(2.5))), expected + "2.5");
  CHECK_ERROR(target->load_state_dict(with(saved, "steps", f64_scalar(-1))), expected + "-1");
  CHECK_ERROR(target->load_state_dict(with(saved, "steps", f64_scalar(1e300))), expected + "1e+300");
  CHECK_ERROR(target->load_state_dict(with(saved, "steps", f64_scalar(std::nan("")))), expected + "nan");
  CHECK_ERROR(target->load_state_dict(with(saved, "steps", f64_scalar(std::ldexp(1.0, 53) + 2))),
              expected + "9007199254740994");
  CHECK_ERROR(target->load_state_dict(with(saved, "steps", tg::zeros({2}, tg::f64))),
              "adam: load_state_dict: entry 'steps' must be a one-element f64 tensor, got f64 of shape [2]");
  CHECK(target->steps() == 0);
  target->load_state_dict(with(saved, "steps", f64_scalar(std::ldexp(1.0, 53))));  // the largest count
  CHECK(target->steps() == optim::max_state_count);
}

TEST_CASE("optim load_state_dict refuses a per-parameter counter out of its range") {
  const optim::StateDict saved = Problem::fresh().stepped("adam")->state_dict();
  auto target = Problem::fresh().stepped("adam", 0);
  const std::string expected =
      "adam: load_state_dict: entry 'state.0.1.step' must be an integer in [1, " + max_count + "], got ";
  CHECK_ERROR(target->load_state_dict(with(saved, "state.0.1.step", f64_scalar(0))), expected + "0");
  CHECK_ERROR(target->load_state_dict(with(saved, "state.0.1.step", f64_scalar(1e300))), expected + "1e+300");
  CHECK_ERROR(target->load_state_dict(with(saved, "state.0.1.step", f64_scalar(1.5))), expected + "1.5");
  CHECK_ERROR(target->load_state_dict(with(saved, "state.0.1.step", tg::ones({5}, tg::f64))),
              "adam: load_state_dict: entry 'state.0.1.step' must be a one-element f64 tensor, got f64 of shape [5]");
}

TEST_CASE("optim load_state_dict names a missing buffer") {
  const optim::StateDict saved = Problem::fresh().stepped("adam")->state_dict();
  auto target = Problem::fresh().stepped("adam", 0);
  CHECK_ERROR(target->load_state_dict(without(saved, "state.0.0.v")),
              "adam: load_state_dict: missing entry 'state.0.0.v' (adam keeps m, v, step for each parameter it has "
              "updated)");
  CHECK_ERROR(target->load_state_dict(without(saved, "state.0.1.step")), "missing entry 'state.0.1.step'");
  // A parameter without any state (never updated) is fine.
  optim::StateDict no_b = saved;
  for (const char* name : {"m", "v", "step"}) no_b.erase(std::string("state.0.1.") + name);
  target->load_state_dict(no_b);
  CHECK(target->state(0, 1).empty());
  CHECK(target->state(0, 0).size() == 3);
}

TEST_CASE("optim load_state_dict names a missing option, count or flag") {
  const optim::StateDict saved = Problem::fresh().stepped("adam")->state_dict();
  auto target = Problem::fresh().stepped("adam", 0);
  CHECK_ERROR(target->load_state_dict(without(saved, "group.0.option.beta2")),
              "adam: load_state_dict: missing entry 'group.0.option.beta2'");
  CHECK_ERROR(target->load_state_dict(without(saved, "steps")), "adam: load_state_dict: missing entry 'steps'");
  CHECK_ERROR(target->load_state_dict(without(saved, "group.0.frozen")),
              "adam: load_state_dict: missing entry 'group.0.frozen'");
}

TEST_CASE("optim load_state_dict refuses unknown entries") {
  const optim::StateDict saved = Problem::fresh().stepped("adam")->state_dict();
  auto target = Problem::fresh().stepped("adam", 0);
  CHECK_ERROR(target->load_state_dict(with(saved, "state.0.0.extra", tg::zeros({4, 3}))),
              "adam: load_state_dict: unexpected entry 'state.0.0.extra': adam keeps no state 'extra' per parameter "
              "(it keeps m, v, step (and v_max when its option is on))");
  CHECK_ERROR(target->load_state_dict(with(saved, "bogus", f64_scalar(1))),
              "adam: load_state_dict: unexpected entry 'bogus' (expected steps, param_groups, group.*, state.* or "
              "global.*)");
  CHECK_ERROR(target->load_state_dict(with(saved, "group.0.lr", f64_scalar(1))),
              "adam: load_state_dict: unexpected entry 'group.0.lr'");
  CHECK_ERROR(target->load_state_dict(with(saved, "group.1.params", f64_scalar(1))),
              "adam: load_state_dict: unexpected entry 'group.1.params' (the optimizer has 1 group(s))");
  // Another spelling of an index would be a second value for the same entry.
  CHECK_ERROR(target->load_state_dict(with(saved, "group.00.frozen", f64_scalar(1))),
              "adam: load_state_dict: unexpected entry 'group.00.frozen'");
  CHECK_ERROR(target->load_state_dict(with(saved, "state.0.01.m", tg::zeros({5}, tg::f64))),
              "adam: load_state_dict: unexpected entry 'state.0.01.m'");
  CHECK_ERROR(target->load_state_dict(with(saved, "group.0.option.momentum", f64_scalar(0.9))),
              "adam: load_state_dict: unknown option 'momentum'");
  CHECK_ERROR(target->load_state_dict(with(saved, "global.history", f64_scalar(0))),
              "adam: load_state_dict: unexpected entry 'history' (adam keeps no global state)");
}

TEST_CASE("optim load_state_dict refuses a buffer of the wrong shape or dtype, or a 0-d tensor for a buffer") {
  const optim::StateDict saved = Problem::fresh().stepped("adam")->state_dict();
  auto target = Problem::fresh().stepped("adam", 0);
  CHECK_ERROR(target->load_state_dict(with(saved, "state.0.0.m", tg::zeros({3, 4}))),
              "adam: load_state_dict: entry 'state.0.0.m' has shape [3, 4] and dtype f32, but parameter 0 of group 0 "
              "has shape [4, 3] and dtype f32");
  CHECK_ERROR(target->load_state_dict(with(saved, "state.0.0.v", tg::zeros({4, 3}, tg::f64))),
              "adam: load_state_dict: entry 'state.0.0.v' has shape [4, 3] and dtype f64, but parameter 0 of group 0 "
              "has shape [4, 3] and dtype f32");
  // A 0-d f64 "counter" where a moment buffer belongs would fail only at the next step().
  CHECK_ERROR(target->load_state_dict(with(saved, "state.0.1.m", f64_scalar(0))),
              "adam: load_state_dict: entry 'state.0.1.m' has shape [] and dtype f64, but parameter 1 of group 0 has "
              "shape [5] and dtype f64");
  CHECK_ERROR(target->load_state_dict(with(saved, "state.0.1.m", Tensor{})),
              "adam: load_state_dict: entry 'state.0.1.m' is an undefined tensor");
}

TEST_CASE("optim load_state_dict refuses options and flags out of range, before any cast") {
  const Problem p = Problem::fresh();
  const optim::StateDict adam = p.stepped("adam")->state_dict();
  auto target = Problem::fresh().stepped("adam", 0);
  CHECK_ERROR(target->load_state_dict(with(adam, "group.0.option.maximize", f64_scalar(0.5))),
              "adam: load_state_dict: entry 'group.0.option.maximize' must be 0 or 1 (option 'maximize' is a "
              "boolean), got 0.5");
  CHECK_ERROR(target->load_state_dict(with(adam, "group.0.option.lr", f64_scalar(std::nan("")))),
              "adam: load_state_dict: option 'lr' must be finite, got nan");
  CHECK_ERROR(target->load_state_dict(with(adam, "group.0.frozen", f64_scalar(2))),
              "adam: load_state_dict: entry 'group.0.frozen' must be 0 or 1, got 2");
  const optim::StateDict lbfgs = p.stepped("lbfgs")->state_dict();
  auto lbfgs_target = Problem::fresh().stepped("lbfgs", 0);
  CHECK_ERROR(lbfgs_target->load_state_dict(with(lbfgs, "group.0.option.max_iter", f64_scalar(1e300))),
              "lbfgs: load_state_dict: option 'max_iter' must be an integer, got 1e+300");
  CHECK_ERROR(lbfgs_target->load_state_dict(with(lbfgs, "group.0.option.history_size", f64_scalar(0))),
              "lbfgs: load_state_dict: option 'history_size' must satisfy history_size >= 1, got 0");
}

TEST_CASE("optim load_state_dict refuses a state of other groups or parameters") {
  const Problem p = Problem::fresh();
  const optim::StateDict saved = p.stepped("adam")->state_dict();
  auto one_param = optim::create("adam", {Problem::fresh().b});
  CHECK_ERROR(one_param->load_state_dict(saved),
              "adam: load_state_dict: group 0 has 2 parameter(s) in the state, 1 here");
  std::vector<optim::ParamGroup> groups(2);
  const Problem q = Problem::fresh();
  groups[0].params = {q.w};
  groups[1].params = {q.b};
  auto two_groups = optim::create("adam", groups);
  CHECK_ERROR(two_groups->load_state_dict(saved),
              "adam: load_state_dict: the state has 1 parameter group(s), this optimizer 2; build it with the same "
              "groups");
  CHECK_ERROR(two_groups->load_state_dict(with(saved, "param_groups", f64_scalar(-2))),
              "adam: load_state_dict: entry 'param_groups' must be an integer in [0, " + max_count + "], got -2");
  CHECK_ERROR(one_param->load_state_dict(with(saved, "group.0.params", f64_scalar(1e300))),
              "adam: load_state_dict: entry 'group.0.params' must be an integer in [0, " + max_count + "], got 1e+300");
}

TEST_CASE("optim load_state_dict checks every built-in optimizer's declared state") {
  for (const char* name : all_optimizers) {
    CAPTURE(name);
    const Problem p = Problem::fresh();
    auto opt = p.stepped(name, 2);
    const optim::StateDict saved = opt->state_dict();
    REQUIRE(opt->state_specs() != nullptr);
    // Its own state loads back, into a fresh optimizer too, and reads back the same.
    const Problem q = Problem::fresh();
    auto fresh = optim::create(name, {q.w, q.b}, {{"lr", 0.125}});
    fresh->load_state_dict(saved);
    CHECK(same_state(fresh->state_dict(), saved));
    CHECK(fresh->steps() == 2);

    const std::string who = std::string(name) + ": load_state_dict: ";
    CHECK_ERROR(fresh->load_state_dict(with(saved, "steps", f64_scalar(1e300))), who + "entry 'steps' must be");
    CHECK_ERROR(fresh->load_state_dict(with(saved, "state.0.0.unknown", tg::zeros({4, 3}))),
                who + "unexpected entry 'state.0.0.unknown'");
    const auto& specs = *opt->state_specs();
    const auto required = std::count_if(specs.begin(), specs.end(), [](const auto& s) { return !s.optional; });
    for (const optim::StateSpec& spec : specs) {
      CAPTURE(spec.name);
      const std::string key = "state.0.0." + spec.name;
      if (spec.optional && !saved.contains(key)) continue;  // its option is off by default
      REQUIRE(saved.contains(key));  // every required entry is what step() keeps
      if (required > 1)
        CHECK_ERROR(fresh->load_state_dict(without(saved, key)), who + "missing entry '" + key + "'");
      if (spec.kind == optim::StateSpec::Kind::buffer)
        CHECK_ERROR(fresh->load_state_dict(with(saved, key, f64_scalar(0))),
                    who + "entry '" + key + "' has shape [] and dtype f64");
      else
        CHECK_ERROR(fresh->load_state_dict(with(saved, key, f64_scalar(-1))),
                    who + "entry '" + key + "' must be an integer");
    }
    CHECK(same_state(fresh->state_dict(), saved));  // none of the failed loads changed it
  }
}

TEST_CASE("optim a failed load_state_dict leaves the optimizer's state untouched") {
  const Problem p = Problem::fresh();
  auto source = p.stepped("adam", 3);
  source->set_lr(0.25);
  const optim::StateDict other = source->state_dict();
  auto target = Problem::fresh().stepped("adam", 1);
  const optim::StateDict before = target->state_dict();
  // Each dict is good up to an entry that sorts after the options and the first
  // parameter's buffers, so a load that applied as it went would have changed them.
  CHECK_ERROR(target->load_state_dict(with(other, "state.0.1.v", tg::zeros({4}, tg::f64))), "state.0.1.v");
  CHECK_ERROR(target->load_state_dict(with(other, "state.0.1.step", f64_scalar(1e300))), "state.0.1.step");
  CHECK_ERROR(target->load_state_dict(with(other, "state.0.1.zzz", f64_scalar(1))), "state.0.1.zzz");
  CHECK_ERROR(target->load_state_dict(without(other, "state.0.1.v")), "state.0.1.v");
  CHECK_ERROR(target->load_state_dict(with(other, "steps", f64_scalar(-3))), "steps");
  CHECK(same_state(target->state_dict(), before));
  CHECK(target->lr() == 1e-3);
  CHECK(target->steps() == 1);

  // L-BFGS: a bad global entry keeps the options, the steps and the history as they were.
  auto lbfgs_source = p.stepped("lbfgs", 2);
  auto lbfgs = Problem::fresh().stepped("lbfgs", 1);
  const optim::StateDict lbfgs_before = lbfgs->state_dict();
  CHECK_ERROR(lbfgs->load_state_dict(with(lbfgs_source->state_dict(), "global.n_iter", f64_scalar(1e300))),
              "lbfgs: load_state_dict: entry 'global.n_iter' must be an integer in [0, " + max_count + "], got 1e+300");
  CHECK(same_state(lbfgs->state_dict(), lbfgs_before));
}

TEST_CASE("optim lbfgs load_state_dict checks its history") {
  const Problem p = Problem::fresh();
  const optim::StateDict saved = p.stepped("lbfgs", 2)->state_dict();
  REQUIRE(saved.at("global.ro").numel() >= 1);
  auto target = Problem::fresh().stepped("lbfgs", 0);
  const std::int64_t pairs = saved.at("global.ro").numel();
  CHECK_ERROR(target->load_state_dict(with(saved, "global.ro", tg::full({pairs}, -1.0, tg::f64))),
              "lbfgs: load_state_dict: entry 'global.ro' must be a finite positive number, got -1");
  CHECK_ERROR(target->load_state_dict(with(saved, "global.h_diag", f64_scalar(std::nan("")))),
              "lbfgs: load_state_dict: entry 'global.h_diag' must be a finite positive number, got nan");
  CHECK_ERROR(target->load_state_dict(with(saved, "global.d", tg::zeros({16}, tg::f64))),
              "lbfgs: load_state_dict: entry 'global.d' must be an f64 tensor of shape [17], got f64 of shape [16]");
  CHECK_ERROR(target->load_state_dict(with(saved, "global.old_dirs", tg::zeros({pairs + 1, 17}, tg::f64))),
              "lbfgs: load_state_dict: entry 'global.old_dirs' must be an f64 tensor of shape");
  CHECK_ERROR(target->load_state_dict(with(saved, "global.func_evals", f64_scalar(-1))),
              "lbfgs: load_state_dict: entry 'global.func_evals' must be an integer");
  CHECK_ERROR(target->load_state_dict(with(saved, "global.n_iter", f64_scalar(0))),
              "lbfgs: load_state_dict: unexpected entry 'global.d' (global.n_iter is 0: there is no history yet)");
  CHECK_ERROR(target->load_state_dict(with(saved, "global.extra", f64_scalar(0))),
              "lbfgs: load_state_dict: unexpected entry 'global.extra'");
  CHECK(target->steps() == 0);
  target->load_state_dict(saved);
  CHECK(same_state(target->state_dict(), saved));
}

namespace {

std::vector<optim::OptionSpec> user_options() {
  return optim::with_first_order_options({optim::number_option("lr", 0.1, "learning rate")});
}

// A user's optimizers: one declares its state (a buffer and a counter), one does not.
class Declared final : public optim::FirstOrderOptimizer {
 public:
  explicit Declared(std::vector<Tensor> params)
      : FirstOrderOptimizer("declared", user_options(), optim::one_group(params)) {
    declare_state({optim::buffer_state("trace"), optim::counter_state("updates")});
  }

 protected:
  void update(const optim::ParamGroup&, const optim::GradientTransform&, const Tensor& param, const Tensor&,
              optim::ParamState& state) override {
    (void)optim::state_buffer(state, "trace", param);
    (void)optim::increment_counter(state, "updates");
  }
};

class Undeclared final : public optim::FirstOrderOptimizer {
 public:
  explicit Undeclared(std::vector<Tensor> params)
      : FirstOrderOptimizer("undeclared", user_options(), optim::one_group(params)) {}

 protected:
  void update(const optim::ParamGroup&, const optim::GradientTransform&, const Tensor& param, const Tensor&,
              optim::ParamState& state) override {
    (void)optim::state_buffer(state, "trace", param);
  }
};

template <class O>
optim::StateDict stepped_state(const Tensor& x) {
  O opt({x});
  tg::sum(x * x).backward();
  opt.step();
  return opt.state_dict();
}

}  // namespace

TEST_CASE("optim a user's optimizer gets the checks from one declare_state, and the basic ones without") {
  const Tensor x = tg::ones({3}).requires_grad_();
  const optim::StateDict declared = stepped_state<Declared>(x);
  Declared d({tg::ones({3}).requires_grad_()});
  d.load_state_dict(declared);
  CHECK(d.state(0, 0).at("updates").item() == 1);
  CHECK_ERROR(d.load_state_dict(with(declared, "state.0.0.updates", f64_scalar(0.5))),
              "declared: load_state_dict: entry 'state.0.0.updates' must be an integer in [0, " + max_count +
                  "], got 0.5");
  CHECK_ERROR(d.load_state_dict(with(declared, "state.0.0.trace", f64_scalar(0))),
              "declared: load_state_dict: entry 'state.0.0.trace' has shape [] and dtype f64, but parameter 0 of "
              "group 0 has shape [3] and dtype f32");
  CHECK_ERROR(d.load_state_dict(without(declared, "state.0.0.updates")),
              "declared: load_state_dict: missing entry 'state.0.0.updates' (declared keeps trace, updates for each "
              "parameter it has updated)");

  // Without a declaration: the keys, counts and options are checked, and every state
  // entry must have the parameter's shape and dtype or be a 0-d f64 value.
  const optim::StateDict undeclared = stepped_state<Undeclared>(tg::ones({3}).requires_grad_());
  Undeclared u({tg::ones({3}).requires_grad_()});
  u.load_state_dict(with(undeclared, "state.0.0.count", f64_scalar(4)));
  CHECK(u.state(0, 0).at("count").item() == 4);
  CHECK(u.state_specs() == nullptr);
  CHECK_ERROR(u.load_state_dict(with(undeclared, "state.0.0.trace", tg::zeros({2}))),
              "undeclared: load_state_dict: entry 'state.0.0.trace' has shape [2] and dtype f32, but parameter 0 of "
              "group 0 has shape [3] and dtype f32");
  CHECK_ERROR(u.load_state_dict(with(undeclared, "steps", f64_scalar(1e300))),
              "undeclared: load_state_dict: entry 'steps' must be an integer");
}

TEST_CASE("optim declare_state refuses malformed declarations") {
  struct Bad final : optim::FirstOrderOptimizer {
    explicit Bad(std::vector<optim::StateSpec> specs)
        : FirstOrderOptimizer("bad", user_options(), optim::one_group({tg::ones({1}).requires_grad_()})) {
      declare_state(std::move(specs));
    }
    void update(const optim::ParamGroup&, const optim::GradientTransform&, const Tensor&, const Tensor&,
                optim::ParamState&) override {}
  };
  CHECK_ERROR(Bad({optim::buffer_state("m"), optim::counter_state("m")}), "bad: declare_state: 'm' is declared twice");
  CHECK_ERROR(Bad({optim::buffer_state("a.b")}),
              "bad: declare_state: state names must be non-empty and contain no '.', got 'a.b'");
  CHECK_ERROR(Bad({optim::counter_state("n", -1)}), "bad: declare_state: counter 'n' has minimum -1");
}

TEST_CASE("optim averaging and schedules refuse counts out of range in load_state_dict") {
  const Tensor x = tg::ones({2}).requires_grad_();
  optim::ParameterAveraging average({x});
  CHECK_ERROR(average.load_state_dict({{"updates", f64_scalar(1e300)}, {"average.0", tg::ones({2})}}),
              "ParameterAveraging: load_state_dict: entry 'updates' must be an integer in [0, " + max_count +
                  "], got 1e+300");
  CHECK(average.updates() == 0);

  auto opt = optim::create("sgd", {x});
  optim::LrScheduler schedule(*opt, optim::StepDecay{2, 0.5});
  CHECK_ERROR(schedule.load_state_dict({{"t", f64_scalar(-1)}, {"base_lr.0", f64_scalar(0.1)}}),
              "LrScheduler: load_state_dict: entry 't' must be an integer in [0, " + max_count + "], got -1");
  CHECK_ERROR(schedule.load_state_dict({{"t", f64_scalar(1)}, {"base_lr.0", f64_scalar(-0.1)}}),
              "LrScheduler: load_state_dict: entry 'base_lr.0' must be a finite learning rate >= 0, got -0.1");

  optim::ReduceOnPlateau plateau(*opt, {});
  CHECK_ERROR(plateau.load_state_dict({{"best", f64_scalar(1)}, {"bad_steps", f64_scalar(1e300)},
                                       {"cooldown_left", f64_scalar(0)}}),
              "ReduceOnPlateau: load_state_dict: entry 'bad_steps' must be an integer in [0, " + max_count +
                  "], got 1e+300");
}
