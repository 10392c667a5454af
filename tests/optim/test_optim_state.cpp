// Optimizer state: state_dict() taken mid-run and loaded into a fresh optimizer (over
// fresh parameters holding the saved values) continues bit for bit the same trajectory;
// load_state_dict validates what it is given.
#include <doctest/doctest.h>

#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>

using tg::Tensor;
namespace optim = tg::optim;

namespace {

Tensor leaf_copy(const Tensor& t) { return t.detach().clone().requires_grad_(); }

// Parameters of both dtypes: w (f32 [40, 5]) and b (f64 [7]); the gradients change
// every step (tanh and a quartic), so the state really matters.
struct Problem {
  Tensor w, b;
  static Problem fresh() {
    tg::Generator gen(7);
    return {tg::randn({40, 5}, tg::f32, &gen).requires_grad_(), tg::randn({7}, tg::f64, &gen).requires_grad_()};
  }
  Problem copy() const { return {leaf_copy(w), leaf_copy(b)}; }
  std::vector<Tensor> params() const { return {w, b}; }
  void backward() const {
    (tg::sum(w * w * 0.5f) + tg::sum(tg::tanh(w * 3.0f))).backward();
    (tg::sum(b * b * b * b) * 0.25 - tg::sum(b)).backward();
  }
  void step(optim::Optimizer& opt) const {
    opt.zero_grad();
    backward();
    opt.step();
  }
  bool same_bits(const Problem& other) const {
    return w.to_vector<float>() == other.w.to_vector<float>() && b.to_vector<double>() == other.b.to_vector<double>();
  }
};

}  // namespace

TEST_CASE("optim state_dict round trip continues bit for bit, for every first-order optimizer") {
  for (const char* name : {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"}) {
    CAPTURE(name);
    const optim::Options options = {{"lr", 0.05}, {"weight_decay", 0.01}, {"clip_norm", 5.0}};
    // Reference: 6 uninterrupted steps (the lr changes after step 2, as a schedule would).
    Problem reference = Problem::fresh();
    auto ref_opt = optim::create(name, reference.params(), options);
    // Interrupted: 3 steps, save, then a fresh optimizer (built with other options, which
    // the state overrides) over fresh parameters holding the saved values.
    Problem first = Problem::fresh();
    auto first_opt = optim::create(name, first.params(), options);
    for (int t = 0; t < 3; ++t) {
      reference.step(*ref_opt);
      first.step(*first_opt);
      if (t == 1) ref_opt->set_lr(0.02), first_opt->set_lr(0.02);
    }
    const optim::StateDict saved = first_opt->state_dict();
    first.step(*first_opt);  // later steps do not change what was saved
    Problem resumed = reference.copy();
    auto resumed_opt = optim::create(name, resumed.params(), {{"lr", 0.5}});
    resumed_opt->load_state_dict(saved);
    CHECK(resumed_opt->lr() == 0.02);
    CHECK(resumed_opt->steps() == 3);
    for (int t = 0; t < 3; ++t) {
      reference.step(*ref_opt);
      resumed.step(*resumed_opt);
    }
    CHECK(resumed.same_bits(reference));
  }
}

TEST_CASE("optim state_dict holds tensors only: scalars are 0-d f64") {
  Problem p = Problem::fresh();
  auto opt = optim::create("adam", p.params(), {{"lr", 0.01}, {"maximize", true}});
  p.step(*opt);
  const optim::StateDict dict = opt->state_dict();
  CHECK(dict.at("steps").dim() == 0);
  CHECK(dict.at("steps").dtype() == tg::f64);
  CHECK(dict.at("group.0.option.lr").item() == 0.01);
  CHECK(dict.at("group.0.option.maximize").item() == 1);
  CHECK(dict.at("state.0.0.m").shape() == tg::Shape{40, 5});
  CHECK(dict.at("state.0.0.m").dtype() == tg::f32);
  CHECK(dict.at("state.0.1.v").dtype() == tg::f64);
  CHECK(dict.at("state.0.1.step").item() == 1);
}

TEST_CASE("optim lbfgs state_dict round trip continues bit for bit") {
  const auto rosenbrock = [](const Tensor& x) {
    const Tensor a = tg::slice(x, 0, 0, 1), b = tg::slice(x, 0, 1, 2);
    const Tensor r1 = 1.0 - a, r2 = b - a * a;
    return tg::sum(r1 * r1 + r2 * r2 * 100.0);
  };
  const optim::Options options = {{"max_iter", 2}, {"history_size", 3}};
  Tensor ref = tg::from_vector(std::vector<double>{-1.5, 2}, tg::Shape{2}).requires_grad_();
  Tensor half = leaf_copy(ref);
  auto ref_opt = optim::create("lbfgs", {ref}, options);
  auto half_opt = optim::create("lbfgs", {half}, options);
  for (int t = 0; t < 4; ++t) {
    ref_opt->step([&] { return rosenbrock(ref); });
    half_opt->step([&] { return rosenbrock(half); });
  }
  const optim::StateDict saved = half_opt->state_dict();
  CHECK(saved.at("global.old_dirs").dim() == 2);
  Tensor resumed = leaf_copy(half);
  auto resumed_opt = optim::create("lbfgs", {resumed});
  resumed_opt->load_state_dict(saved);
  for (int t = 0; t < 4; ++t) {
    ref_opt->step([&] { return rosenbrock(ref); });
    resumed_opt->step([&] { return rosenbrock(resumed); });
  }
  CHECK(resumed.to_vector<double>() == ref.to_vector<double>());
}

TEST_CASE("optim load_state_dict rejects state that does not fit, and changes nothing then") {
  Problem p = Problem::fresh();
  auto adam = optim::create("adam", p.params());
  p.step(*adam);
  const optim::StateDict adam_state = adam->state_dict();

  auto sgd = optim::create("sgd", p.params());
  CHECK_THROWS_WITH_AS(sgd->load_state_dict(adam_state),
                       doctest::Contains("sgd: load_state_dict: unknown option 'amsgrad'"), tg::Error);
  CHECK(sgd->steps() == 0);

  Problem other = Problem::fresh();
  auto one_param = optim::create("adam", {other.b});
  CHECK_THROWS_WITH_AS(one_param->load_state_dict(adam_state),
                       doctest::Contains("group 0 has 2 parameter(s) in the state, 1 here"), tg::Error);

  optim::StateDict bad = adam_state;
  bad["state.0.0.m"] = tg::zeros({3});
  auto target = optim::create("adam", other.params());
  CHECK_THROWS_WITH_AS(target->load_state_dict(bad),
                       doctest::Contains("entry 'state.0.0.m' has shape [3] and dtype f32, but parameter 0 of group 0 "
                                         "has shape [40, 5]"),
                       tg::Error);
  CHECK(target->state(0, 0).empty());

  bad = adam_state;
  bad["group.0.option.beta1"] = tg::scalar_tensor(1.5, tg::f64);
  CHECK_THROWS_WITH_AS(target->load_state_dict(bad), doctest::Contains("option 'beta1' must satisfy 0 <= beta1 < 1"),
                       tg::Error);
  bad = adam_state;
  bad["extra"] = tg::scalar_tensor(1, tg::f64);
  CHECK_THROWS_WITH_AS(target->load_state_dict(bad), doctest::Contains("unexpected entry 'extra'"), tg::Error);
}
