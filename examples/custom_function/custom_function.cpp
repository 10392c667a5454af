// A new op of your own, written as a tg::Function (docs/custom_functions.md walks
// through it): softclip(x, c) = c * tanh(x / c), which is close to x for |x| << c
// and saturates smoothly at -c and c.
//   1. use it in a graph (a linear layer, softclip, a loss) and backpropagate;
//   2. gradcheck it (first derivatives) and gradgradcheck it (second derivatives);
//   3. gradcheck a copy whose backward forgets the chain rule's 1/c: the table
//      reports it wrong, with the element index and analytic vs numeric values.
// Exit status 0 when the correct backward passes and the broken one is caught.
#include <cstdio>
#include <vector>

#include <tapegrad/tapegrad.hpp>

// d/dx c tanh(x / c) = 1 - tanh(x / c)^2 = 1 - (y / c)^2: backward needs only the output.
struct SoftClip : tg::Function<SoftClip> {
  static constexpr const char* name = "softclip";
  static tg::Tensor forward(tg::FunctionContext& ctx, const tg::Tensor& x, double c) {
    tg::Tensor y = c * tg::tanh(x / c);
    ctx.save_for_backward({y});
    ctx.saved_data["c"] = c;
    return y;
  }
  // Written with tapegrad ops, so it is differentiable again (gradgradcheck below).
  static std::vector<tg::Tensor> backward(tg::FunctionContext& ctx, const tg::TensorList& grad_outputs) {
    const tg::Tensor y = ctx.saved(0);
    const double c = ctx.saved_data.at("c").to_double();
    return {grad_outputs[0] * (1.0 - tg::square(y / c))};
  }
};

// The same forward with a bug in backward: 1 - y^2 instead of 1 - (y / c)^2.
struct BrokenSoftClip : tg::Function<BrokenSoftClip> {
  static constexpr const char* name = "broken_softclip";
  static tg::Tensor forward(tg::FunctionContext& ctx, const tg::Tensor& x, double c) {
    return SoftClip::forward(ctx, x, c);
  }
  static std::vector<tg::Tensor> backward(tg::FunctionContext& ctx, const tg::TensorList& grad_outputs) {
    const tg::Tensor y = ctx.saved(0);
    return {grad_outputs[0] * (1.0 - tg::square(y))};
  }
};

int main() {
  tg::manual_seed(0);

  // 1. In a graph: loss = mean(softclip(x W, 2)^2).
  const tg::Tensor x = tg::randn({4, 3});
  tg::Tensor w = tg::randn({3, 2}).requires_grad_();
  const tg::Tensor loss = tg::mean(tg::square(SoftClip::apply(tg::matmul(x, w), 2.0)));
  loss.backward();
  std::printf("loss %.6f, dloss/dW has shape %s\n", loss.item(), w.grad().shape().str().c_str());

  // 2. The check: f64 centered differences against backward, element by element.
  const tg::Tensor probe = tg::randn({2, 3}, tg::f64) * 2.0;
  const tg::GradcheckReport good =
      tg::gradcheck([](const std::vector<tg::Tensor>& in) { return SoftClip::apply(in[0], 2.0); }, {probe});
  std::printf("softclip:\n%s", good.table().c_str());
  const tg::GradcheckReport second =
      tg::gradgradcheck([](const std::vector<tg::Tensor>& in) { return SoftClip::apply(in[0], 2.0); }, {probe});
  std::printf("softclip, second derivatives:\n%s", second.table().c_str());

  // 3. The broken backward.
  const tg::GradcheckReport broken =
      tg::gradcheck([](const std::vector<tg::Tensor>& in) { return BrokenSoftClip::apply(in[0], 2.0); }, {probe});
  std::printf("broken_softclip:\n%s", broken.table().c_str());

  const bool caught = broken.verdict == tg::Verdict::wrong && !broken.inputs[0].worst.empty();
  if (caught) {
    const tg::GradcheckElement& worst = broken.inputs[0].worst.front();
    std::printf("broken_softclip: %s at element %s (analytic %.6f, numeric %.6f)\n",
                std::string(tg::verdict_name(worst.verdict)).c_str(), worst.index.str().c_str(), worst.analytic,
                worst.numeric);
  }
  if (good.passed() && second.passed() && caught) {
    std::printf("custom_function: OK (softclip good, broken_softclip caught)\n");
    return 0;
  }
  std::printf("custom_function: FAILED\n");
  return 1;
}
