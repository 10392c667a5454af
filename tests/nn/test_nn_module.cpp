// nn::Module: naming, traversal order, train/eval, state dicts, freezing, printing.
#include <doctest/doctest.h>

#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

using tg::Tensor;
using namespace tg::nn;
using std::make_shared;

namespace {

std::vector<std::string> names_of(const std::vector<NamedTensor>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.first);
  return out;
}

// A module with its own parameter and buffer, and a child.
class Scaled : public Module {
 public:
  Scaled() {
    scale = register_parameter("scale", tg::ones({2}));
    register_buffer("count", tg::zeros({1}, tg::i64));
    inner = register_module("inner", make_shared<Linear>(2, 2));
  }
  Tensor forward(const Tensor& x) override { return inner->forward(x) * scale; }
  std::string type_name() const override { return "Scaled"; }
  Tensor scale;
  std::shared_ptr<Linear> inner;
};

std::shared_ptr<Sequential> small_mlp() {
  return make_shared<Sequential>(std::vector<ModulePtr>{
      make_shared<Sequential>(std::vector<ModulePtr>{make_shared<Linear>(4, 3), make_shared<ReLU>()}),
      make_shared<Linear>(3, 2, false)});
}

}  // namespace

TEST_CASE("nn named_parameters of nested Sequential: dotted names in registration order") {
  auto model = small_mlp();
  CHECK(names_of(model->named_parameters()) == std::vector<std::string>{"0.0.weight", "0.0.bias", "1.weight"});
  const auto params = model->parameters();
  REQUIRE(params.size() == 3);
  auto first = std::dynamic_pointer_cast<Linear>(std::dynamic_pointer_cast<Sequential>(model->at(0))->at(0));
  CHECK(params[0].same(first->weight()));
  CHECK(params[1].same(first->bias()));
  CHECK(params[0].requires_grad());
  CHECK(model->num_parameters() == 4 * 3 + 3 + 3 * 2);
  CHECK(model->named_children()[1].first == "1");
  CHECK(model->children().size() == 2);
}

TEST_CASE("nn own parameters come before the children's, buffers are listed apart") {
  Scaled m;
  CHECK(names_of(m.named_parameters()) == std::vector<std::string>{"scale", "inner.weight", "inner.bias"});
  CHECK(names_of(m.named_buffers()) == std::vector<std::string>{"count"});
  CHECK(m.buffers().size() == 1);
  CHECK(Linear(784, 256).num_parameters() == 784 * 256 + 256);
}

TEST_CASE("nn a shared child's parameters are listed once, its state under both paths") {
  auto shared = make_shared<Linear>(2, 2);
  Sequential model({shared, make_shared<ReLU>(), shared});
  CHECK(names_of(model.named_parameters()) == std::vector<std::string>{"0.weight", "0.bias"});
  CHECK(model.num_parameters() == 6);
  const auto state = model.state_dict();
  CHECK(state.size() == 4);
  CHECK(state.count("2.weight") == 1);
}

TEST_CASE("nn registration validates names") {
  Scaled m;
  CHECK_ERROR(m.register_parameter("", tg::ones({1})), "register_parameter: the name is empty (in Scaled())");
  CHECK_ERROR(m.register_buffer("a.b", tg::ones({1})),
              "register_buffer: name 'a.b' contains '.', which separates path parts (in Scaled())");
  CHECK_ERROR(m.register_buffer("scale", tg::ones({1})), "register_buffer: 'scale' is already a parameter of Scaled()");
  CHECK_ERROR(m.register_parameter("count", tg::ones({1})),
              "register_parameter: 'count' is already a buffer of Scaled()");
  CHECK_ERROR(m.register_module("inner", make_shared<ReLU>()),
              "register_module: 'inner' is already a child module of Scaled()");
  CHECK_ERROR(m.register_parameter("w", tg::arange(3)), "register_parameter: 'w' has dtype i64, expected f32 or f64");
  CHECK_ERROR(m.register_parameter("w", Tensor{}), "register_parameter: 'w' is an undefined tensor");
  Tensor leaf = tg::ones({2}).requires_grad_();
  CHECK_ERROR(m.register_parameter("w", leaf * 2.0), "register_parameter: 'w' is not a leaf tensor");
  CHECK_ERROR(m.register_module("none", std::shared_ptr<ReLU>()), "register_module: 'none' is a null module");
  CHECK_ERROR(m.register_buffer("b", Tensor{}), "register_buffer: 'b' is an undefined tensor");
}

TEST_CASE("nn registering an ancestor as a child is an error (a cycle)") {
  auto outer = make_shared<Sequential>();
  auto inner = make_shared<Sequential>();
  outer->push_back(inner);
  CHECK_ERROR(inner->push_back(outer), "register_module: registering '0' in Sequential() would make a cycle");
  CHECK_ERROR(outer->push_back(outer), "would make a cycle");
}

TEST_CASE("nn register_module returns the typed pointer") {
  Sequential s;
  std::shared_ptr<Linear> linear = s.register_module("head", make_shared<Linear>(5, 7));
  CHECK(linear->out_features() == 7);
}

TEST_CASE("nn train and eval reach every descendant") {
  auto model = small_mlp();
  auto inner = model->at(0);
  auto relu = std::dynamic_pointer_cast<Sequential>(inner)->at(1);
  CHECK(relu->is_training());
  model->eval();
  CHECK_FALSE(model->is_training());
  CHECK_FALSE(inner->is_training());
  CHECK_FALSE(relu->is_training());
  model->train();
  CHECK(relu->is_training());
}

TEST_CASE("nn state_dict holds copies: later training does not change it") {
  Scaled m;
  const auto state = m.state_dict();
  CHECK(names_of({state.begin(), state.end()}) ==
        std::vector<std::string>{"count", "inner.bias", "inner.weight", "scale"});
  {
    tg::NoGradGuard no_grad;
    Tensor(m.scale).fill_(5.0);
  }
  CHECK(state.at("scale").to_vector<float>() == std::vector<float>{1, 1});
  CHECK_FALSE(state.at("scale").requires_grad());
  CHECK(state.at("count").dtype() == tg::i64);
}

TEST_CASE("nn state_dict round trip into a fresh model gives identical outputs") {
  tg::manual_seed(1);
  auto a = small_mlp();
  tg::manual_seed(2);
  auto b = small_mlp();
  const Tensor x = tg::randn({5, 4});
  const auto before = b->forward(x).to_vector<float>();
  CHECK(a->forward(x).to_vector<float>() != before);
  const Tensor b_weight = b->parameters()[0];
  const auto result = b->load_state_dict(a->state_dict());
  CHECK(result.missing_keys.empty());
  CHECK(result.unexpected_keys.empty());
  CHECK(b->forward(x).to_vector<float>() == a->forward(x).to_vector<float>());
  CHECK(b->parameters()[0].same(b_weight));  // loaded in place: optimizers keep their tensors
  CHECK(b_weight.requires_grad());
}

TEST_CASE("nn strict load_state_dict names missing and unexpected keys") {
  auto model = small_mlp();
  auto state = model->state_dict();
  state.erase("0.0.bias");
  state["extra.weight"] = tg::zeros({1});
  CHECK_ERROR(model->load_state_dict(state),
              "load_state_dict: the dict does not match Sequential(): missing keys '0.0.bias'; unexpected keys "
              "'extra.weight'");
  state["0.0.bias"] = tg::zeros({3});
  CHECK_ERROR(model->load_state_dict(state), "unexpected keys 'extra.weight'");
  state["0.0.weight"] = tg::full({3, 4}, 9.0);
  CHECK_ERROR(model->load_state_dict(state), "unexpected keys 'extra.weight'");
  CHECK(model->state_dict().at("0.0.weight").to_vector<float>() != std::vector<float>(12, 9.0f));  // untouched
  state.erase("extra.weight");
  state["1.weight"] = Tensor{};
  CHECK_ERROR(model->load_state_dict(state), "load_state_dict: '1.weight' is an undefined tensor");
}

TEST_CASE("nn load_state_dict with a wrong shape or dtype names the key and both, nothing changes") {
  auto model = small_mlp();
  const auto original = model->state_dict();
  auto state = original;
  state["0.0.bias"] = tg::full({3}, 7.0);  // valid, but must not be written
  state["1.weight"] = tg::zeros({3, 2});
  CHECK_ERROR(model->load_state_dict(state),
              "load_state_dict: shape mismatch for '1.weight': the dict has [3, 2], Sequential() has [2, 3]");
  CHECK(model->state_dict().at("0.0.bias").to_vector<float>() == original.at("0.0.bias").to_vector<float>());
  state["1.weight"] = tg::zeros({2, 3}, tg::f64);
  CHECK_ERROR(model->load_state_dict(state, false),
              "load_state_dict: dtype mismatch for '1.weight': the dict has f64, Sequential() has f32");
  CHECK(model->state_dict().at("0.0.bias").to_vector<float>() == original.at("0.0.bias").to_vector<float>());
}

TEST_CASE("nn non-strict load_state_dict loads what matches and reports the rest") {
  auto model = small_mlp();
  std::map<std::string, Tensor> state{{"0.0.bias", tg::full({3}, 7.0)}, {"head.bias", tg::zeros({2})}};
  const auto result = model->load_state_dict(state, false);
  CHECK(result.missing_keys == std::vector<std::string>{"0.0.weight", "1.weight"});
  CHECK(result.unexpected_keys == std::vector<std::string>{"head.bias"});
  CHECK(model->state_dict().at("0.0.bias").to_vector<float>() == std::vector<float>{7, 7, 7});
}

TEST_CASE("nn a frozen sub-module gets no gradient after backward") {
  auto model = small_mlp();
  model->at(0)->requires_grad(false);
  tg::sum(model->forward(tg::randn({3, 4}))).backward();
  const auto params = model->parameters();
  CHECK_FALSE(params[0].requires_grad());
  CHECK_FALSE(params[0].grad().defined());
  CHECK_FALSE(params[1].grad().defined());
  CHECK(params[2].grad().defined());
  model->requires_grad(true);
  CHECK(params[0].requires_grad());
}

TEST_CASE("nn to_string prints a PyTorch-like tree, fmt prints the same") {
  auto model = small_mlp();
  model->push_back(make_shared<Conv2d>(1, 4, tg::Size2d(3, 5), tg::Conv2dOptions{.stride = 2, .padding = 1}));
  const std::string expected =
      "Sequential(\n"
      "  (0): Sequential(\n"
      "    (0): Linear(4, 3)\n"
      "    (1): ReLU()\n"
      "  )\n"
      "  (1): Linear(3, 2, bias=false)\n"
      "  (2): Conv2d(1, 4, kernel=(3, 5), stride=2, padding=1)\n"
      ")";
  CHECK(model->to_string() == expected);
  CHECK(fmt::format("{}", *model) == expected);
  CHECK(fmt::format("{}", Linear(784, 256)) == "Linear(784, 256)");
}

TEST_CASE("nn a module without forward says so") {
  class Holder : public Module {
   public:
    std::string type_name() const override { return "Holder"; }
  } holder;
  CHECK_ERROR(holder(tg::ones({1})), "Holder(): forward is not implemented for this module");
}

TEST_CASE("nn Module::to(f64) converts parameters and floating buffers in place, keeping their identity") {
  auto model = make_shared<Sequential>(
      std::vector<ModulePtr>{make_shared<Linear>(3, 2), make_shared<BatchNorm1d>(2)});
  auto linear = std::dynamic_pointer_cast<Linear>(model->at(0));
  auto norm = std::dynamic_pointer_cast<BatchNorm1d>(model->at(1));
  const std::vector<double> weight = linear->weight().to_vector<double>();
  const Tensor x = tg::randn({4, 3});
  tg::sum(model->forward(x)).backward();
  REQUIRE(linear->weight().grad().defined());

  model->to(tg::f64);
  // The layer's own handles see the conversion (same tensors), values are kept exactly.
  CHECK(linear->weight().dtype() == tg::f64);
  CHECK(linear->weight().to_vector<double>() == weight);
  CHECK(linear->weight().requires_grad());
  CHECK_FALSE(linear->weight().grad().defined());  // an f32 gradient would not fit
  CHECK(norm->running_var().dtype() == tg::f64);
  CHECK(model->named_buffers().back().second.dtype() == tg::i64);  // num_batches_tracked: a counter
  const Tensor y = model->forward(x.to(tg::f64));
  CHECK(y.dtype() == tg::f64);
  tg::sum(y).backward();
  CHECK(linear->weight().grad().dtype() == tg::f64);
  CHECK_ERROR(model->to(tg::i64), "Module::to: dtype i64 is not floating");
}
