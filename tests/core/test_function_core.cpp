// Custom differentiable functions (tapegrad/function.hpp) written with raw loops over the
// data, as a user without ops would: the recording, the context's checks and the
// once-differentiable error, tested against tapegrad_core alone.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "check_error.hpp"
#include "tapegrad/function.hpp"
#include "tapegrad/gradcheck.hpp"
#include "tapegrad/tensor.hpp"

namespace {

tg::Tensor vec(const std::vector<double>& v) {
  return tg::from_vector(v, tg::Shape{static_cast<std::int64_t>(v.size())});
}

// y = scale * x^3 with a raw-loop backward, which declares that it is not differentiable.
struct RawCube : tg::Function<RawCube> {
  static constexpr const char* name = "raw_cube";
  static constexpr bool once_differentiable = true;
  static tg::Tensor forward(tg::FunctionContext& ctx, const tg::Tensor& x, double scale) {
    ctx.save_for_backward({x});
    ctx.saved_data["scale"] = scale;
    tg::Tensor y = tg::empty(x.shape(), tg::f64);
    const double* in = x.data<double>();
    double* out = y.data<double>();
    for (std::int64_t i = 0; i < x.numel(); ++i) out[i] = scale * in[i] * in[i] * in[i];
    return y;
  }
  static std::vector<tg::Tensor> backward(tg::FunctionContext& ctx, const tg::TensorList& grad_outputs) {
    const tg::Tensor x = ctx.saved(0).contiguous();
    const tg::Tensor g = grad_outputs[0].contiguous();
    const double scale = ctx.saved_data.at("scale").to_double();
    tg::Tensor gx = tg::empty(x.shape(), tg::f64);
    for (std::int64_t i = 0; i < x.numel(); ++i)
      gx.data<double>()[i] = g.data<double>()[i] * 3 * scale * x.data<double>()[i] * x.data<double>()[i];
    return {gx};
  }
};

// Returns as many gradients as the test asks for (a backward that miscounts).
struct Miscounted : tg::Function<Miscounted> {
  static tg::Tensor forward(tg::FunctionContext& ctx, const tg::Tensor& x, std::int64_t count) {
    ctx.saved_data["count"] = count;
    return x.clone();
  }
  static std::vector<tg::Tensor> backward(tg::FunctionContext& ctx, const tg::TensorList& grad_outputs) {
    return std::vector<tg::Tensor>(static_cast<std::size_t>(ctx.saved_data.at("count").to_int()), grad_outputs[0]);
  }
};

// Calls one misuse of the context, chosen by the test, in forward or backward.
struct Misuse : tg::Function<Misuse> {
  static constexpr const char* name = "misuse";
  static tg::Tensor forward(tg::FunctionContext& ctx, const tg::Tensor& x, const std::string& what) {
    ctx.saved_data["what"] = what;
    ctx.saved_data["count"] = 3;
    if (what == "saved in forward") ctx.saved(0);
    if (what == "needs_input_grad(1)") ctx.needs_input_grad(1);
    if (what == "mark an input") ctx.mark_non_differentiable({x});
    if (what == "missing key") ctx.saved_data.at("alpha");
    if (what == "wrong kind") ctx.saved_data.at("what").to_double();
    return x.clone();
  }
  static tg::Tensor backward(tg::FunctionContext& ctx, const tg::TensorList& grad_outputs) {
    const std::string what = ctx.saved_data.at("what").to_string();
    if (what == "saved(0) of none") ctx.saved(0);
    if (what == "save in backward") ctx.save_for_backward({grad_outputs[0]});
    return grad_outputs[0];
  }
};

}  // namespace

TEST_CASE("function: a raw-loop forward and backward give the values and the gradient") {
  tg::Tensor x = vec({1.0, -2.0, 0.5}).requires_grad_();
  tg::Tensor y = RawCube::apply(x, 2.0);
  CHECK(y.to_vector<double>() == std::vector<double>{2.0, -16.0, 0.25});
  REQUIRE(y.grad_fn());
  CHECK(std::string(y.grad_fn()->name()) == "raw_cube");
  y.backward(vec({1.0, 1.0, 2.0}));
  CHECK(x.grad().to_vector<double>() == std::vector<double>{6.0, 24.0, 3.0});  // 6 x^2 g
}

TEST_CASE("function: gradcheck passes a correct raw-loop backward") {
  const tg::GradcheckReport report =
      tg::gradcheck([](const std::vector<tg::Tensor>& in) { return RawCube::apply(in[0], 0.7); },
                    {vec({0.3, -1.1, 2.0, 0.9})});
  CHECK(report.verdict == tg::Verdict::good);
  CHECK(report.passed());
}

TEST_CASE("function: nothing is recorded when no input requires grad or under NoGradGuard") {
  tg::Tensor plain = vec({1.0, 2.0});
  tg::Tensor y = RawCube::apply(plain, 1.0);
  CHECK_FALSE(y.requires_grad());
  CHECK_FALSE(y.grad_fn());

  tg::Tensor x = vec({1.0, 2.0}).requires_grad_();
  tg::NoGradGuard no_grad;
  tg::Tensor z = RawCube::apply(x, 1.0);
  CHECK_FALSE(z.requires_grad());
  CHECK_FALSE(z.grad_fn());
  CHECK(z.to_vector<double>() == std::vector<double>{1.0, 8.0});
}

TEST_CASE("function: a once-differentiable backward refuses a second derivative when it is taken") {
  tg::Tensor x = vec({1.5}).requires_grad_();
  tg::Tensor y = RawCube::apply(x, 1.0);
  // The first derivative under create_graph works and has the right value ...
  std::vector<tg::Tensor> g = tg::grad(y, std::span<const tg::Tensor>(&x, 1), /*create_graph=*/true);
  CHECK(g[0].item() == doctest::Approx(3 * 1.5 * 1.5));
  // ... and is marked as depending on x, so the second one is an error, not a zero.
  CHECK(g[0].requires_grad());
  CHECK_ERROR(tg::grad(g[0], std::span<const tg::Tensor>(&x, 1)),
              "raw_cube: backward is once-differentiable (it declares once_differentiable = true), so it cannot "
              "be differentiated again");
}

TEST_CASE("function: gradgradcheck of a once-differentiable function is the once-differentiable error") {
  CHECK_ERROR(tg::gradgradcheck([](const std::vector<tg::Tensor>& in) { return RawCube::apply(in[0], 1.0); },
                                {vec({0.5, 1.0})}),
              "raw_cube: backward is once-differentiable");
}

TEST_CASE("function: a tensor saved for backward and modified in place is an error naming the function") {
  tg::Tensor x = vec({1.0, 2.0}).requires_grad_();
  tg::Tensor y = RawCube::apply(x, 1.0);
  {
    tg::NoGradGuard no_grad;
    x.fill_(3.0);
  }
  CHECK_ERROR(y.backward(vec({1.0, 1.0})),
              "backward: a tensor saved by raw_cube was modified in place after it was saved");
}

TEST_CASE("function: a backward returning the wrong number of gradients names the function") {
  tg::Tensor x = vec({1.0, 2.0}).requires_grad_();
  CHECK_ERROR(Miscounted::apply(x, std::int64_t{2}).backward(vec({1.0, 1.0})),
              "Miscounted: backward returned 2 gradients, but forward has 1 tensor inputs");
  CHECK_ERROR(Miscounted::apply(x, std::int64_t{0}).backward(vec({1.0, 1.0})),
              "Miscounted: backward returned 0 gradients, but forward has 1 tensor inputs");
  Miscounted::apply(x, std::int64_t{1}).backward(vec({1.0, 1.0}));
  CHECK(x.grad().to_vector<double>() == std::vector<double>{1.0, 1.0});
}

TEST_CASE("function: misuses of the context in forward are errors naming the function") {
  tg::Tensor x = vec({1.0, 2.0}).requires_grad_();
  CHECK_ERROR(Misuse::apply(x, std::string("saved in forward")), "misuse: saved(0) is for backward");
  CHECK_ERROR(Misuse::apply(x, std::string("needs_input_grad(1)")),
              "misuse: needs_input_grad(1), but forward has 1 tensor inputs");
  CHECK_ERROR(Misuse::apply(x, std::string("mark an input")),
              "misuse: mark_non_differentiable was given a tensor of shape [2] that forward does not return");
  CHECK_ERROR(Misuse::apply(x, std::string("missing key")),
              "misuse: saved_data has no entry \"alpha\" (it has: count, what)");
  CHECK_ERROR(Misuse::apply(x, std::string("wrong kind")), "misuse: saved_data[\"what\"] holds string, read as double");
}

TEST_CASE("function: misuses of the context in backward are errors naming the function") {
  tg::Tensor x = vec({1.0, 2.0}).requires_grad_();
  CHECK_ERROR(Misuse::apply(x, std::string("saved(0) of none")).backward(vec({1.0, 1.0})),
              "misuse: saved(0), but forward saved 0 tensors with save_for_backward");
  CHECK_ERROR(Misuse::apply(x, std::string("save in backward")).backward(vec({1.0, 1.0})),
              "misuse: save_for_backward is called in forward, not in backward");
}

TEST_CASE("function: saved_data reads an integer as a double and names each kind") {
  tg::SavedData data("f");
  data["n"] = 3;
  data["flag"] = true;
  data["shape"] = tg::Shape{2, 3};
  data["widths"] = std::vector<std::int64_t>{4, 5};
  CHECK(data.at("n").to_double() == 3.0);
  CHECK(data.at("n").to_int() == 3);
  CHECK(data.at("flag").to_bool());
  CHECK(data.at("shape").to_shape() == tg::Shape{2, 3});
  CHECK(data.at("widths").to_int_list() == std::vector<std::int64_t>{4, 5});
  CHECK(data.at("widths").kind() == "list of ints");
  CHECK_ERROR(data.at("flag").to_int(), "f: saved_data[\"flag\"] holds bool, read as int");
  CHECK_ERROR(data.at("shape").to_double_list(), "f: saved_data[\"shape\"] holds Shape, read as list of doubles");
}

TEST_CASE("function: a backward run twice without retain_graph is the engine's error naming the function") {
  tg::Tensor x = vec({1.0}).requires_grad_();
  tg::Tensor y = RawCube::apply(x, 1.0);
  y.backward();
  CHECK_ERROR(y.backward(), "the values saved by raw_cube were freed after the first backward");
}

TEST_CASE("function: in anomaly mode a non-finite output of forward names the function") {
  tg::Tensor x = vec({1.0, 1e200}).requires_grad_();
  tg::AnomalyModeGuard anomaly;
  CHECK_ERROR(RawCube::apply(x, 1.0), "anomaly: forward of raw_cube produced Inf at element 1");
}

TEST_CASE("function: with retain_graph the saved tensors and saved_data serve a second backward") {
  tg::Tensor x = vec({2.0}).requires_grad_();
  tg::Tensor y = RawCube::apply(x, 0.5);
  y.backward({}, /*retain_graph=*/true);
  y.backward();
  CHECK(x.grad().item() == doctest::Approx(2 * 1.5 * 4.0));  // twice 3 scale x^2
}
