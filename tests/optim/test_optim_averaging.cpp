// Parameter averaging (docs/formulas.md): x_test = 0.995*x_test + 0.005*x, the Polyak
// mean, and swapping the averages into the parameters for evaluation and back.
#include <doctest/doctest.h>

#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>

#include "tensor_values.hpp"

using tg::Tensor;
namespace optim = tg::optim;

namespace {

using tg::test::param;

void assign(const Tensor& x, std::vector<double> v) {
  tg::NoGradGuard no_grad;
  x.detach().copy_(tg::from_vector(v, x.shape()));
}
}  // namespace

TEST_CASE("optim averaging: x_test = 0.995*x_test + 0.005*x, by hand") {
  Tensor x = param({1, 2});
  optim::ParameterAveraging average({x});
  CHECK(average.averages()[0].to_vector<double>() == std::vector<double>{1, 2});  // starts at x
  assign(x, {3, 4});
  average.update();  // (0.995 + 0.015, 1.99 + 0.02) = (1.01, 2.01)
  assign(x, {5, 6});
  average.update();  // (0.995*1.01 + 0.025, 0.995*2.01 + 0.03) = (1.02995, 2.02995)
  const std::vector<double> a = average.averages()[0].to_vector<double>();
  CHECK(a[0] == doctest::Approx(1.02995).epsilon(1e-14));
  CHECK(a[1] == doctest::Approx(2.02995).epsilon(1e-14));
  CHECK(average.updates() == 2);
}

TEST_CASE("optim averaging: Polyak averaging is the mean of every iterate") {
  Tensor x = tg::from_vector(std::vector<float>{1}, tg::Shape{1}).requires_grad_();
  optim::ParameterAveraging mean = optim::ParameterAveraging::polyak({x});
  for (float v : {3.0f, 5.0f, 7.0f}) {
    tg::NoGradGuard no_grad;
    x.detach().fill_(v);
    mean.update();
  }
  CHECK(mean.averages()[0].item() == doctest::Approx(4));  // (1 + 3 + 5 + 7) / 4
}

TEST_CASE("optim averaging: swap_in puts the averages in the parameters and takes them out again") {
  Tensor w = param({1, 2}), b = param({10});
  auto opt = optim::create("sgd", {w, b}, {{"lr", 0.1}});
  optim::ParameterAveraging average({w, b}, 0.9);
  for (int t = 0; t < 5; ++t) {
    opt->zero_grad();
    tg::sum(w * w + b * b).backward();
    opt->step();
    average.update();
  }
  const std::vector<double> trained = w.to_vector<double>();
  const std::vector<double> averaged = average.averages()[0].to_vector<double>();
  CHECK(trained != averaged);
  const auto version = w.version();
  {
    auto guard = average.swap_in();
    CHECK(w.to_vector<double>() == averaged);  // evaluate with x_test here
    CHECK(w.version() > version);
    CHECK(average.swapped_in());
    CHECK_THROWS_WITH_AS(average.update(), doctest::Contains("update() while the averages are swapped in"), tg::Error);
    CHECK_THROWS_WITH_AS((void)average.swap_in(), doctest::Contains("already swapped in"), tg::Error);
  }
  CHECK(w.to_vector<double>() == trained);  // training continues from its own values
  CHECK(average.averages()[0].to_vector<double>() == averaged);
  CHECK_FALSE(average.swapped_in());

  const optim::StateDict saved = average.state_dict();
  optim::ParameterAveraging restored({w, b}, 0.9);
  restored.load_state_dict(saved);
  CHECK(restored.averages()[0].to_vector<double>() == averaged);
  CHECK(restored.updates() == 5);
}

TEST_CASE("optim averaging: the kernel on a large f32 array, threaded") {
  const std::size_t n = 300000;
  std::vector<float> avg(n, 1.0f), x(n, 3.0f);
  optim::ema_update<float>(avg, x, 0.995);
  CHECK(avg.front() == doctest::Approx(1.01f));
  CHECK(avg.back() == doctest::Approx(1.01f));
  CHECK_THROWS_AS(optim::ParameterAveraging({param({1})}, 1.0), tg::Error);
}
