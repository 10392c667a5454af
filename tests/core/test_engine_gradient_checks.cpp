// The engine checks every gradient a backward rule returns against the shape and dtype
// of the input it belongs to, and names the rule, the input and both shapes.
#include <doctest/doctest.h>

#include <memory>

#include "check_error.hpp"
#include "tapegrad/autograd.hpp"
#include "tapegrad/tensor.hpp"

namespace {

// y = sum(x), with a backward rule that returns what the test gives it instead of
// ones shaped like x: a rule that forgot to expand (or sum_to) its gradient.
class BrokenSum final : public tg::Node {
 public:
  explicit BrokenSum(tg::Tensor returned) : returned_(std::move(returned)) {}
  const char* name() const override { return "broken_sum"; }
  tg::TensorList apply(tg::TensorList&&) override {
    tg::TensorList out;
    out.push_back(returned_);
    return out;
  }

 private:
  tg::Tensor returned_;
};

// Records y = broken_sum(x) by hand, as an op would.
tg::Tensor broken_sum(const tg::Tensor& x, tg::Tensor returned) {
  auto node = std::make_shared<BrokenSum>(std::move(returned));
  tg::connect_inputs(*node, {&x});
  tg::Tensor y = tg::zeros({});
  y.requires_grad_(false);
  tg::set_history(y, node);
  return y;
}

}  // namespace

TEST_CASE("a backward rule returning a wrongly shaped gradient is named with the input and both shapes") {
  tg::Tensor x = tg::zeros({3}).requires_grad_();
  tg::Tensor y = broken_sum(x, tg::ones({1}));
  CHECK_ERROR(y.backward(),
              "backward: broken_sum returned a gradient of shape [1] and dtype f32 for its input 0, "
              "which has shape [3] and dtype f32");
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("a backward rule returning the wrong dtype is named too") {
  tg::Tensor x = tg::zeros({2, 2}).requires_grad_();
  tg::Tensor y = broken_sum(x, tg::ones({2, 2}, tg::f64));
  CHECK_ERROR(y.backward(), "broken_sum returned a gradient of shape [2, 2] and dtype f64 for its input 0, "
                            "which has shape [2, 2] and dtype f32");
}

TEST_CASE("a wrong gradient flowing into another node is caught at the rule that made it, not broadcast") {
  // x -> broken_sum -> z: before the check, the [1] gradient would broadcast into the
  // [3]-shaped slot of x's producer without any error.
  tg::Tensor leaf = tg::zeros({3}).requires_grad_();
  tg::Tensor middle = broken_sum(leaf, tg::ones({3}));  // a correct rule, scalar output
  tg::Tensor top = broken_sum(middle, tg::ones({1}));   // wrong: middle is a scalar []
  CHECK_ERROR(top.backward(),
              "broken_sum returned a gradient of shape [1] and dtype f32 for its input 0, which has shape [] "
              "and dtype f32");
}

TEST_CASE("a correctly shaped gradient from a hand-written node reaches the leaf") {
  tg::Tensor x = tg::zeros({3}).requires_grad_();
  broken_sum(x, tg::ones({3})).backward();
  REQUIRE(x.grad().defined());
  CHECK(x.grad().to_vector<float>() == std::vector<float>{1, 1, 1});
}
