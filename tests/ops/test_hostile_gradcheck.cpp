// gradcheck on NaN and infinite gradients, and on options that cannot give a verdict.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

namespace {

tg::Tensor f64_vector(std::vector<double> v) { return tg::from_vector(v, tg::Shape{static_cast<std::int64_t>(v.size())}); }

std::int64_t count(const tg::GradcheckReport& r, tg::Verdict v) { return r.inputs.at(0).count[static_cast<int>(v)]; }

}  // namespace

TEST_CASE("gradcheck fails a backward whose gradient a hook turns into NaN") {
  auto report = tg::gradcheck(
      [](const std::vector<tg::Tensor>& x) {
        tg::Tensor y = x[0] * 2.0;
        // y requires grad in every evaluation (gradcheck runs f with grad mode on); the
        // check keeps f correct if it did not.
        if (y.requires_grad())
          y.register_hook([](const tg::Tensor& g) { return g * std::numeric_limits<double>::quiet_NaN(); });
        return tg::sum(y);
      },
      {f64_vector({0.5, -1.0, 2.0})});
  CHECK(report.verdict == tg::Verdict::non_finite);
  CHECK_FALSE(report.passed());
  CHECK(count(report, tg::Verdict::non_finite) == 3);
  CHECK(std::isinf(report.max_rel_error));
  CHECK(std::isnan(report.inputs.at(0).worst.at(0).analytic));
  CHECK(report.inputs.at(0).worst.at(0).numeric == doctest::Approx(2.0));
  CHECK(report.table().find("NON-FINITE") != std::string::npos);
  CHECK(tg::verdict_name(tg::Verdict::non_finite) == "non-finite");
}

TEST_CASE("gradcheck fails sqrt of negative inputs as non-finite") {
  auto report = tg::gradcheck([](const std::vector<tg::Tensor>& x) { return tg::sum(tg::sqrt(x[0])); },
                              {f64_vector({-1.0, -4.0, 4.0})});
  CHECK(report.verdict == tg::Verdict::non_finite);
  CHECK_FALSE(report.passed());
  // The loss sums every output, so one NaN output makes every numeric value NaN.
  CHECK(count(report, tg::Verdict::non_finite) == 3);
}

TEST_CASE("gradcheck fails an infinite gradient as non-finite") {
  // d/dx sqrt(x) at 0 is +inf analytically; the numeric side is NaN (sqrt(-h)).
  auto report = tg::gradcheck([](const std::vector<tg::Tensor>& x) { return tg::sum(tg::sqrt(x[0])); },
                              {f64_vector({0.0, 1.0})});
  CHECK(report.verdict == tg::Verdict::non_finite);
  CHECK(count(report, tg::Verdict::non_finite) == 1);
}

TEST_CASE("gradcheck refuses options that cannot give a meaningful verdict") {
  auto fn = [](const std::vector<tg::Tensor>& x) { return tg::sum(x[0] * x[0]); };
  const std::vector<tg::Tensor> inputs = {f64_vector({1.0})};
  auto with = [&](auto set) {
    tg::GradcheckOptions o;
    set(o);
    return tg::gradcheck(fn, inputs, o);
  };
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK_ERROR(with([](auto& o) { o.eps = 1e300; }), "gradcheck: eps must be finite and in (0, 0.1], got 1e+300");
  CHECK_ERROR(with([&](auto& o) { o.eps = inf; }), "gradcheck: eps must be finite and in (0, 0.1], got inf");
  CHECK_ERROR(with([&](auto& o) { o.eps = nan; }), "gradcheck: eps must be finite and in (0, 0.1], got nan");
  CHECK_ERROR(with([](auto& o) { o.eps = 0; }), "gradcheck: eps must be finite and in (0, 0.1], got 0");
  CHECK_ERROR(with([](auto& o) { o.eps = -1e-6; }), "gradcheck: eps must be finite and in (0, 0.1]");
  CHECK_ERROR(with([](auto& o) { o.max_coords_per_input = 0; }), "gradcheck: max_coords_per_input must be positive, got 0");
  CHECK_ERROR(with([](auto& o) { o.warmup_steps = -1; }), "gradcheck: warmup_steps must be >= 0, got -1");
  CHECK_ERROR(with([&](auto& o) { o.warmup_lr = nan; }), "gradcheck: warmup_lr must be finite and positive, got nan");
  CHECK_ERROR(with([&](auto& o) { o.kink_tolerance = inf; }), "gradcheck: kink_tolerance must be finite and positive, got inf");
  CHECK_ERROR(with([](auto& o) { o.kink_tolerance = 0; }), "gradcheck: kink_tolerance must be finite and positive, got 0");
  CHECK_ERROR(with([](auto& o) { o.worst_shown = -2; }), "gradcheck: worst_shown must be >= 0, got -2");
  CHECK_ERROR(tg::gradcheck_eps_sweep(tg::as_multi_output(fn), inputs, {1e-6, 1.0}), "eps must be finite and in (0, 0.1], got 1");
  CHECK(with([](auto& o) { o.eps = 0.1; }).passed());
}
