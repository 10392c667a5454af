// Registering optimizers where an exception cannot be thrown: inside dlopen() (a plug-in's
// static initializers, collected by a RegistrationCapture) and in a program's own static
// initializers (kept, and thrown by the next lookup). A call from ordinary code still
// throws at the call.
#include <doctest/doctest.h>

#include <tapegrad/optim/optim.hpp>

#include "check_error.hpp"

namespace optim = tg::optim;

namespace {

optim::OptimizerInfo sgd_named(std::string name) { return optim::optimizer_info<optim::Sgd>(std::move(name), "test"); }

}  // namespace

TEST_CASE("optim registration capture: names registered and failures are recorded, not thrown") {
  optim::RegistrationCapture capture;
  CHECK_NOTHROW(optim::register_optimizer(sgd_named("capture_test_sgd")));
  CHECK_NOTHROW(optim::register_optimizer(sgd_named("adam")));
  CHECK_NOTHROW(optim::OptimizerRegistration(sgd_named("capture_test_sgd")));
  CHECK_NOTHROW(optim::register_optimizer({"", "no name", {}, {}}));
  CHECK(capture.names() == std::vector<std::string>{"capture_test_sgd"});
  REQUIRE(capture.errors().size() == 3);
  CHECK(capture.errors()[0] == "optim::register_optimizer: an optimizer named 'adam' is already registered");
  CHECK(capture.errors()[1] ==
        "optim::register_optimizer: an optimizer named 'capture_test_sgd' is already registered");
  CHECK(capture.errors()[2] == "optim::register_optimizer: empty optimizer name");
  CHECK(optim::is_registered("capture_test_sgd"));
  CHECK(optim::create("adam", {tg::zeros({1}).requires_grad_()})->name() == "adam");  // still the built-in
}

TEST_CASE("optim registration capture: the innermost capture collects, and none after it ends") {
  optim::RegistrationCapture outer;
  {
    optim::RegistrationCapture inner;
    optim::register_optimizer(sgd_named("sgd"));
    CHECK(inner.errors().size() == 1);
  }
  CHECK(outer.errors().empty());
  optim::register_optimizer(sgd_named("sgd"));
  CHECK(outer.errors().size() == 1);
}

TEST_CASE("optim registration: a duplicate name outside a capture is a tg::Error at the call") {
  CHECK_ERROR(optim::register_optimizer(sgd_named("momentum")),
              "optim::register_optimizer: an optimizer named 'momentum' is already registered");
}

TEST_CASE("optim registration: a failed static registration does not throw, the next lookup reports it once") {
  // What TAPEGRAD_REGISTER_OPTIMIZER of a taken name in a program's own code runs before main.
  CHECK_NOTHROW(optim::OptimizerRegistration(sgd_named("rmsprop")));
  CHECK_ERROR(optim::create("sgd", {tg::zeros({1}).requires_grad_()}),
              "optim: a registration at static initialization failed: optim::register_optimizer: an optimizer "
              "named 'rmsprop' is already registered");
  CHECK(optim::create("sgd", {tg::zeros({1}).requires_grad_()})->name() == "sgd");
  CHECK_NOTHROW(optim::OptimizerRegistration(sgd_named("adagrad")));
  CHECK_ERROR(optim::registered(), "an optimizer named 'adagrad' is already registered");
  CHECK(optim::registered().size() >= 9);
}
