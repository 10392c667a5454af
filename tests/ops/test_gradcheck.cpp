// gradcheck must tell a correct backward from a wrong one, report crossed kinks and
// tiny values, replay random streams, and check a random subset of big inputs.
#include <doctest/doctest.h>

#include <tapegrad/tapegrad.hpp>

namespace {

// Test-only op: forward x^2, backward deliberately 3x (should be 2x).
class WrongSquareNode final : public tg::Node {
 public:
  explicit WrongSquareNode(const tg::Tensor& x) : x_(x, false) {}
  const char* name() const override { return "wrong_square"; }
  tg::TensorList apply(tg::TensorList&& grads) override {
    tg::TensorList out;
    out.push_back(grads[0] * x_.unpack(*this) * 3.0);
    return out;
  }

 private:
  tg::SavedTensor x_;
};

tg::Tensor wrong_square(const tg::Tensor& x) {
  tg::Tensor out;
  {
    tg::NoGradGuard no_grad;
    out = x * x;
  }
  if (tg::any_requires_grad({&x})) {
    auto node = std::make_shared<WrongSquareNode>(x);
    tg::connect_inputs(*node, {&x});
    tg::set_history(out, node);
  }
  return out;
}

tg::Tensor f64_vector(std::vector<double> v) { return tg::from_vector(v, tg::Shape{static_cast<std::int64_t>(v.size())}); }

}  // namespace

TEST_CASE("gradcheck reports a correct op as good") {
  auto report = tg::gradcheck([](const std::vector<tg::Tensor>& x) { return tg::sum(tg::tanh(x[0]) * x[0]); },
                              {f64_vector({0.3, -1.2, 2.0})});
  CHECK(report.verdict == tg::Verdict::good);
  CHECK(report.passed());
  CHECK(report.max_rel_error < 1e-7);
  CHECK(report.inputs.at(0).checked == 3);
}

TEST_CASE("gradcheck reports a deliberately wrong backward as wrong") {
  auto report = tg::gradcheck([](const std::vector<tg::Tensor>& x) { return wrong_square(x[0]); },
                              {f64_vector({0.5, -1.5, 2.0})});
  CHECK(report.verdict == tg::Verdict::wrong);
  CHECK_FALSE(report.passed());
  // analytic 3x vs numeric 2x: relative error 1/3 on every element
  CHECK(report.max_rel_error == doctest::Approx(1.0 / 3.0).epsilon(1e-6));
  const auto& worst = report.inputs.at(0).worst.at(0);
  CHECK(worst.analytic == doctest::Approx(worst.numeric * 1.5).epsilon(1e-6));
  CHECK(report.table().find("WRONG") != std::string::npos);
}

TEST_CASE("gradcheck reports abs at 0 as a crossed kink, not as good or wrong") {
  auto report = tg::gradcheck([](const std::vector<tg::Tensor>& x) { return tg::sum(tg::abs(x[0])); },
                              {f64_vector({0.0, 1e-7, 1.0})});
  const auto& in = report.inputs.at(0);
  // 0 straddles the kink at every step size; 1e-7 crosses it with h = 1e-6 but not
  // with h/10, so it is re-estimated with the finer step and passes.
  CHECK(in.count[static_cast<int>(tg::Verdict::kink_crossed)] == 1);
  CHECK(in.count[static_cast<int>(tg::Verdict::good)] == 2);
  CHECK(report.verdict == tg::Verdict::kink_crossed);
  CHECK(report.passed());
  CHECK(in.worst.at(0).left_slope == doctest::Approx(-1.0));
  CHECK(in.worst.at(0).right_slope == doctest::Approx(1.0));
}

TEST_CASE("gradcheck does not mistake curvature at a stationary point for a kink") {
  // x^2 at x = 1e-9: the one-sided slopes are -h and +h, which disagree in sign.
  auto report = tg::gradcheck([](const std::vector<tg::Tensor>& x) { return x[0] * x[0] + x[0] * 0.5; },
                              {f64_vector({1e-9, 0.7})});
  CHECK(report.verdict == tg::Verdict::good);
}

TEST_CASE("gradcheck flags values too small to compare") {
  auto report = tg::gradcheck([](const std::vector<tg::Tensor>& x) { return x[0] * 1e-12 + 1e-13 * x[0] * x[0]; },
                              {f64_vector({1.0, 2.0})});
  CHECK(report.verdict == tg::Verdict::too_small);
}

TEST_CASE("gradcheck replays the random stream so a random mask is the same in every evaluation") {
  auto dropout_like = [](const std::vector<tg::Tensor>& x) {
    tg::Tensor mask = tg::gt(tg::rand(x[0].shape(), tg::f64), 0.5);
    return tg::sum(x[0] * x[0] * mask);
  };
  tg::manual_seed(123);
  const tg::Tensor x = tg::randn({20}, tg::f64);
  const auto before = tg::default_generator().state();
  auto report = tg::gradcheck(dropout_like, {x});
  CHECK(report.verdict == tg::Verdict::good);
  // The caller's stream is left as it was.
  CHECK(tg::default_generator().state().offset == before.offset);
}

TEST_CASE("gradcheck checks a seeded random subset of a big input") {
  tg::GradcheckOptions opts;
  opts.max_coords_per_input = 10;
  opts.seed = 5;
  auto fn = [](const std::vector<tg::Tensor>& x) { return tg::sum(tg::exp(x[0])); };
  const tg::Tensor x = tg::randn({1000}, tg::f64);
  auto a = tg::gradcheck(fn, {x}, opts);
  auto b = tg::gradcheck(fn, {x}, opts);
  CHECK(a.inputs.at(0).checked == 10);
  CHECK(a.evaluations < 40);
  REQUIRE(a.inputs[0].worst.size() == b.inputs[0].worst.size());
  for (std::size_t i = 0; i < a.inputs[0].worst.size(); ++i)
    CHECK(a.inputs[0].worst[i].flat_index == b.inputs[0].worst[i].flat_index);
}

TEST_CASE("gradcheck converts f32 inputs to f64 and says so") {
  auto report = tg::gradcheck([](const std::vector<tg::Tensor>& x) { return tg::sum(x[0] * x[0]); },
                              {tg::randn({4})});
  CHECK(report.verdict == tg::Verdict::good);
  REQUIRE(report.notes.size() == 1);
  CHECK(report.notes[0].find("f32") != std::string::npos);
}

TEST_CASE("gradcheck checks only the inputs that require grad, passing integer inputs through") {
  tg::Tensor a = tg::randn({3}, tg::f64).requires_grad_();
  tg::Tensor b = tg::randn({3}, tg::f64);
  auto report = tg::gradcheck([](const std::vector<tg::Tensor>& x) { return tg::sum(x[0] * x[1]); }, {a, b});
  REQUIRE(report.inputs.size() == 1);
  CHECK(report.inputs[0].input == 0);
}

TEST_CASE("warm-up steps move the check point and leave the caller's inputs alone") {
  tg::GradcheckOptions opts;
  opts.warmup_steps = 3;
  opts.warmup_lr = 0.1;
  tg::Tensor x = f64_vector({1.0, 2.0});
  auto report = tg::gradcheck([](const std::vector<tg::Tensor>& v) { return tg::sum(v[0] * v[0] * v[0]); }, {x}, opts);
  CHECK(report.verdict == tg::Verdict::good);
  CHECK(x.to_vector<double>() == std::vector<double>{1.0, 2.0});
}

TEST_CASE("gradgradcheck catches a wrong second derivative") {
  // The backward of wrong_square is itself fine as a function of x, but gradgradcheck
  // of a correct op passes and of a product using the wrong op's gradient fails.
  auto good = tg::gradgradcheck([](const std::vector<tg::Tensor>& x) { return tg::sum(tg::tanh(x[0]) * x[0]); },
                                {f64_vector({0.3, -0.8})});
  CHECK(good.verdict == tg::Verdict::good);
  auto bad = tg::gradgradcheck([](const std::vector<tg::Tensor>& x) { return tg::sum(wrong_square(x[0]) * x[0]); },
                               {f64_vector({0.3, -0.8})});
  CHECK(bad.verdict == tg::Verdict::wrong);
}

TEST_CASE("the report prints as a table naming inputs, elements and verdicts") {
  auto report = tg::gradcheck([](const std::vector<tg::Tensor>& x) { return wrong_square(x[0]); },
                              {f64_vector({0.5, -1.5})});
  const std::string table = report.table();
  MESSAGE(table);
  CHECK(table.find("analytic") != std::string::npos);
  CHECK(table.find("numeric") != std::string::npos);
  CHECK(table.find("[1]") != std::string::npos);
}

TEST_CASE("an eps sweep reports one row per step size") {
  auto reports = tg::gradcheck_eps_sweep(
      tg::as_multi_output([](const std::vector<tg::Tensor>& x) { return tg::sum(tg::exp(x[0])); }),
      {f64_vector({0.1, 0.2})}, {1e-3, 1e-6, 1e-9});
  REQUIRE(reports.size() == 3);
  CHECK(reports[1].max_rel_error < reports[0].max_rel_error);  // 1e-3 pays truncation error
  CHECK(tg::eps_sweep_table(reports).find("1e-09") != std::string::npos);
}
