// Modules with several inputs: MultiInputModule's static and virtual calls, a siamese
// net trained end to end, the shared encoder's gradient, and the wrong-arity errors.
#include <doctest/doctest.h>

#include <concepts>

#include <tapegrad/nn/nn.hpp>
#include <tapegrad/optim/sgd.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

using tg::Tensor;
using namespace tg::nn;
using std::make_shared;

namespace {

// head(concat(encoder_a(a), encoder_b(b))); a siamese net when both encoders are one module.
class Siamese : public MultiInputModule<Siamese> {
 public:
  Siamese(std::shared_ptr<Linear> encoder_a, std::shared_ptr<Linear> encoder_b) {
    const bool tied = encoder_a == encoder_b;
    encoder_a_ = register_module(tied ? "encoder" : "encoder_a", encoder_a);
    encoder_b_ = tied ? encoder_a_ : register_module("encoder_b", encoder_b);
    head_ = register_module("head", make_shared<Linear>(4, 1));
  }
  Tensor forward(const Tensor& a, const Tensor& b) {
    return (*head_)(tg::concat({tg::tanh((*encoder_a_)(a)), tg::tanh((*encoder_b_)(b))}, 1));
  }
  std::string type_name() const override { return "Siamese"; }
  std::shared_ptr<Linear> head_;

 private:
  std::shared_ptr<Linear> encoder_a_;
  std::shared_ptr<Linear> encoder_b_;
};

// forward with one input or with a mask: two overloads.
class Masked : public MultiInputModule<Masked> {
 public:
  Tensor forward(const Tensor& x) override { return x * 2.0; }
  Tensor forward(const Tensor& x, const Tensor& mask) { return x * mask; }
  std::string type_name() const override { return "Masked"; }
};

std::shared_ptr<Siamese> siamese() {
  tg::manual_seed(3);
  auto encoder = make_shared<Linear>(3, 2);
  return make_shared<Siamese>(encoder, encoder);
}

std::vector<double> values(const Tensor& t) { return t.to_vector<double>(); }

}  // namespace

static_assert(Siamese::takes<2>() && !Siamese::takes<1>() && !Siamese::takes<3>());
// The static call compiles only with the counts forward takes.
static_assert(std::invocable<Siamese&, const Tensor&, const Tensor&>);
static_assert(!std::invocable<Siamese&, const Tensor&>);
static_assert(!std::invocable<Siamese&, const Tensor&, const Tensor&, const Tensor&>);
static_assert(std::invocable<Masked&, const Tensor&> && std::invocable<Masked&, const Tensor&, const Tensor&>);

TEST_CASE("nn multi-input forward: the static call, the call through a ModulePtr and forward_inputs agree") {
  auto net = siamese();
  const Tensor a = tg::randn({5, 3});
  const Tensor b = tg::randn({5, 3});
  const Tensor direct = (*net)(a, b);
  CHECK(direct.shape() == tg::Shape{5, 1});
  ModulePtr any = net;
  CHECK(values((*any)(a, b)) == values(direct));
  const std::vector<Tensor> inputs{a, b};
  CHECK(values(any->forward_inputs(inputs)) == values(direct));
  CHECK(any->forward_arities() == std::vector<std::size_t>{2});
  // The encoder is registered once: its parameters are listed once.
  CHECK(net->named_parameters().size() == 4);
  CHECK(net->named_parameters()[0].first == "encoder.weight");
}

TEST_CASE("nn multi-input siamese net trained with SGD: the loss goes down at every step") {
  auto net = siamese();
  const Tensor a = tg::randn({8, 3});
  const Tensor b = tg::randn({8, 3});
  const Tensor target = tg::randn({8, 1});
  tg::optim::Sgd sgd(net->parameters(), {{"lr", 0.1}});
  std::vector<double> losses;
  for (int step = 0; step < 6; ++step) {
    sgd.zero_grad();
    const Tensor loss = tg::mse_loss((*net)(a, b), target);
    losses.push_back(loss.item());
    loss.backward();
    sgd.step();
  }
  for (std::size_t i = 1; i < losses.size(); ++i) CHECK(losses[i] < losses[i - 1]);
}

TEST_CASE("nn multi-input shared encoder: its gradient is the sum of the gradients of the two branches") {
  auto shared = siamese();
  // The same net with two tied-by-value encoders: each collects one branch's gradient.
  auto encoder_a = make_shared<Linear>(3, 2);
  auto encoder_b = make_shared<Linear>(3, 2);
  auto untied = make_shared<Siamese>(encoder_a, encoder_b);
  std::map<std::string, Tensor> state = shared->state_dict();
  state["encoder_a.weight"] = state["encoder_b.weight"] = state.at("encoder.weight");
  state["encoder_a.bias"] = state["encoder_b.bias"] = state.at("encoder.bias");
  state.erase("encoder.weight");
  state.erase("encoder.bias");
  untied->load_state_dict(state);

  const Tensor a = tg::randn({4, 3}, tg::f64);
  const Tensor b = tg::randn({4, 3}, tg::f64);
  shared->to(tg::f64);
  untied->to(tg::f64);
  tg::sum(tg::square((*shared)(a, b))).backward();
  tg::sum(tg::square((*untied)(a, b))).backward();

  const auto encoder = std::dynamic_pointer_cast<Linear>(shared->submodule("encoder"));
  const std::vector<double> shared_grad = values(encoder->weight().grad());
  const std::vector<double> grad_a = values(encoder_a->weight().grad());
  const std::vector<double> grad_b = values(encoder_b->weight().grad());
  REQUIRE(shared_grad.size() == 6);
  for (std::size_t i = 0; i < shared_grad.size(); ++i) {
    CHECK(grad_a[i] != 0.0);
    CHECK(shared_grad[i] == doctest::Approx(grad_a[i] + grad_b[i]).epsilon(1e-12));
  }
  CHECK(values(shared->head_->weight().grad()) == values(untied->head_->weight().grad()));
}

TEST_CASE("nn multi-input a wrong number of inputs is an error naming the module and the counts its forward takes") {
  ModulePtr net = siamese();
  const Tensor x = tg::randn({2, 3});
  CHECK_ERROR((*net)(x), "Siamese(): forward takes 2 inputs, given 1");
  CHECK_ERROR((*net)(x, x, x), "Siamese(): forward takes 2 inputs, given 3");
  CHECK_ERROR(net->forward_inputs({}), "Siamese(): forward takes 2 inputs, given 0");

  ModulePtr masked = make_shared<Masked>();
  CHECK(masked->forward_arities() == std::vector<std::size_t>{1, 2});
  CHECK(values((*masked)(tg::ones({2}))) == std::vector<double>{2, 2});
  CHECK(values((*masked)(tg::ones({2}), tg::zeros({2}))) == std::vector<double>{0, 0});
  CHECK_ERROR((*masked)(x, x, x), "Masked(): forward takes 1 or 2 inputs, given 3");

  ModulePtr linear = make_shared<Linear>(3, 2);
  CHECK(linear->forward_arities() == std::vector<std::size_t>{1});
  CHECK_ERROR((*linear)(x, x), "Linear(3, 2): forward takes 1 input, given 2");
}

TEST_CASE("nn multi-input Sequential passes several inputs to its first module and chains the rest") {
  auto net = siamese();
  auto model = make_shared<Sequential>(std::vector<ModulePtr>{net, make_shared<ReLU>()});
  const Tensor a = tg::randn({5, 3});
  const Tensor b = tg::randn({5, 3});
  CHECK(values((*model)(a, b)) == values(tg::relu((*net)(a, b))));
  CHECK(model->forward_arities() == std::vector<std::size_t>{2});
  CHECK_ERROR((*model)(a), "Siamese(): forward takes 2 inputs, given 1");
  CHECK_ERROR((*make_shared<Sequential>())(a, b), "Sequential(): forward takes 1 input, given 2");
  // A several-input module later in the chain gets one input.
  auto late = make_shared<Sequential>(std::vector<ModulePtr>{make_shared<ReLU>(), siamese()});
  CHECK_ERROR((*late)(a), "Siamese(): forward takes 2 inputs, given 1");
}
