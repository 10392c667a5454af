// softmax, log_softmax and the losses: hand-computed values and gradients, the
// sanity facts of docs/formulas.md, and the errors users hit.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <span>

#include <tapegrad/tapegrad.hpp>
#include <tapegrad/ops/losses.hpp>
#include <tapegrad/ops/softmax.hpp>

#include "check_error.hpp"
#include "tensor_values.hpp"

using tg::Reduction;
using tg::Tensor;

namespace {

using tg::test::check_values;
using tg::test::f64;

Tensor labels(const std::vector<std::int64_t>& v) { return tg::from_vector(v, tg::Shape{static_cast<std::int64_t>(v.size())}); }

// d loss / d x with and without create_graph: the fused kernel and the tapegrad-op
// formula must agree. With create_graph the gradient requires grad, except for a
// piecewise-linear loss (linear), whose gradient does not depend on x.
void check_both_backward_paths(const std::function<Tensor(const Tensor&)>& f, const Tensor& x0, double tol,
                               bool linear = false) {
  Tensor x = x0.detach().clone().requires_grad_();
  Tensor out = f(x);
  Tensor seed = tg::randn(out.shape(), out.dtype());
  const Tensor plain = tg::grad(std::span<const Tensor>(&out, 1), std::span<const Tensor>(&x, 1),
                                std::span<const Tensor>(&seed, 1))[0];
  out = f(x);
  tg::BackwardOptions o;
  o.create_graph = true;
  const Tensor graph = tg::grad(std::span<const Tensor>(&out, 1), std::span<const Tensor>(&x, 1),
                                std::span<const Tensor>(&seed, 1), o)[0];
  CHECK(graph.requires_grad() != linear);
  const auto a = plain.to_vector<double>(), b = graph.to_vector<double>();
  REQUIRE(a.size() == b.size());
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]) / (1 + std::abs(b[i])));
  CHECK(worst < tol);
}

}  // namespace

TEST_CASE("softmax and log_softmax of a small vector") {
  const Tensor x = f64({1, 2, 3}, {3});
  check_values(tg::softmax(x), {0.09003057317038043, 0.24472847105479759, 0.6652409557748217});
  check_values(tg::log_softmax(x), {-2.4076059644443806, -1.4076059644443806, -0.4076059644443806});
  check_values(tg::softmax(x.to(tg::f32)), {0.09003057317038043, 0.24472847105479759, 0.6652409557748217}, 1e-6);
}

TEST_CASE("softmax is stable for large scores and normalizes along its axis") {
  check_values(tg::softmax(f64({1000, 1000}, {2})), {0.5, 0.5});
  check_values(tg::log_softmax(f64({1000, 0}, {2})), {0, -1000});
  check_values(tg::softmax(tg::from_vector(std::vector<float>{1000, 1000}, {2})), {0.5, 0.5}, 1e-6);
  // Axis 0 of [2, 2]: each column sums to 1.
  const Tensor y = tg::softmax(f64({0, 1, std::log(3.0), 1}, {2, 2}), 0);
  check_values(y, {0.25, 0.5, 0.75, 0.5});
  // A transposed view is the softmax of its values, not of its storage order.
  const Tensor stored = f64({1, 10, 2, 20, 3, 30}, {3, 2});
  check_values(tg::softmax(tg::transpose(stored, 0, 1), -1),
               {0.09003057317038043, 0.24472847105479759, 0.6652409557748217, 2.0611536181902037e-09,
                4.5397868702434395e-05, 0.9999546000702375},
               1e-9);
}

TEST_CASE("softmax gradient: fused kernel and differentiable formula agree (small and oneDNN sizes)") {
  tg::Generator gen(3);
  for (bool log : {false, true}) {
    auto f = [log](const Tensor& x) { return log ? tg::log_softmax(x, 1) : tg::softmax(x, 1); };
    check_both_backward_paths(f, tg::randn({4, 5}, tg::f64, &gen), 1e-12);
    check_both_backward_paths(f, tg::randn({2, 3, 4}, tg::f64, &gen), 1e-12);
    check_both_backward_paths(f, tg::randn({128, 1000}, tg::f32, &gen), 1e-5);
    check_both_backward_paths(f, tg::randn({20, 100, 3}, tg::f32, &gen), 1e-5);
  }
}

TEST_CASE("cross-entropy of uniform scores over 10 classes is ln(10)") {
  CHECK(tg::cross_entropy(tg::zeros({4, 10}), labels({0, 3, 9, 5})).item() == doctest::Approx(2.302585).epsilon(1e-6));
  CHECK(tg::cross_entropy(tg::zeros({4, 10}, tg::f64), labels({0, 3, 9, 5})).item() ==
        doctest::Approx(std::log(10.0)).epsilon(1e-14));
  // Smoothing does not change it: every target is scored the same.
  CHECK(tg::cross_entropy(tg::zeros({2, 10}, tg::f64), labels({1, 2}), Reduction::mean, 0.3).item() ==
        doctest::Approx(std::log(10.0)).epsilon(1e-14));
}

TEST_CASE("cross-entropy against a hand computation, with and without label smoothing") {
  const Tensor x = f64({1, 2, 3, 0.5, -1, 2}, {2, 3});
  const Tensor y = labels({2, 1});
  // loss_i = logsumexp(x_i) - x_{i, y_i}
  check_values(tg::cross_entropy(x, y, Reduction::none), {0.4076059644443806, 3.241311296657157});
  CHECK(tg::cross_entropy(x, y, Reduction::sum).item() == doctest::Approx(3.6489172611015376).epsilon(1e-12));
  CHECK(tg::cross_entropy(x, y).item() == doctest::Approx(1.8244586305507688).epsilon(1e-12));
  // Smoothing 0.1 over 3 classes: loss_i = -(0.9 lp_{i, y_i} + 0.1/3 sum_j lp_ij).
  check_values(tg::cross_entropy(x, y, Reduction::none, 0.1), {0.5076059644443807, 3.091311296657157});
  CHECK(tg::cross_entropy(x, y, Reduction::mean, 0.1).item() == doctest::Approx(1.799458630550769).epsilon(1e-12));
  // f32 too (small sizes run the plain loops).
  CHECK(tg::cross_entropy(x.to(tg::f32), y).item() == doctest::Approx(1.8244586305507688).epsilon(1e-6));
}

TEST_CASE("cross-entropy gradient is (softmax - target) / N") {
  const std::vector<double> p0 = {0.09003057317038043, 0.24472847105479759, 0.6652409557748217};
  const std::vector<double> p1 = {0.1752903921400367, 0.03911257327068745, 0.7855970345892758};
  for (double s : {0.0, 0.1}) {
    CAPTURE(s);
    Tensor x = f64({1, 2, 3, 0.5, -1, 2}, {2, 3}).requires_grad_();
    tg::cross_entropy(x, labels({2, 1}), Reduction::mean, s).backward();
    const double off = s / 3, on = 1 - s + s / 3;
    check_values(x.grad(), {(p0[0] - off) / 2, (p0[1] - off) / 2, (p0[2] - on) / 2, (p1[0] - off) / 2,
                            (p1[1] - on) / 2, (p1[2] - off) / 2});
  }
  // reduction none: the incoming gradient scales each row.
  Tensor x = f64({1, 2, 3, 0.5, -1, 2}, {2, 3}).requires_grad_();
  tg::cross_entropy(x, labels({2, 1}), Reduction::none).backward(f64({1, -2}, {2}));
  check_values(x.grad(), {p0[0], p0[1], p0[2] - 1, -2 * p1[0], -2 * (p1[1] - 1), -2 * p1[2]});
}

TEST_CASE("loss gradients: fused kernels and differentiable formulas agree") {
  tg::Generator gen(5);
  const Tensor y = tg::from_vector(std::vector<std::int64_t>{3, 0, 9, 9, 1, 2}, {6});
  for (Reduction r : {Reduction::none, Reduction::mean, Reduction::sum}) {
    check_both_backward_paths([&](const Tensor& x) { return tg::cross_entropy(x, y, r, 0.2); },
                              tg::randn({6, 10}, tg::f64, &gen), 1e-12);
    check_both_backward_paths([&](const Tensor& x) { return tg::svm_hinge_loss(x, y, 1, r); },
                              tg::randn({6, 10}, tg::f64, &gen), 1e-12, /*linear=*/true);
  }
  const Tensor big = tg::from_vector(std::vector<std::int64_t>(128, 7), {128});
  check_both_backward_paths([&](const Tensor& x) { return tg::cross_entropy(x, big); },
                            tg::randn({128, 1000}, tg::f32, &gen), 1e-5);
}

TEST_CASE("SVM hinge loss on CS231n's example") {
  // Columns of the lecture's score table (cat, car, frog images) as rows.
  const Tensor scores = f64({3.2, 5.1, -1.7, 1.3, 4.9, 2.0, 2.2, 2.5, -3.1}, {3, 3});
  const Tensor y = labels({0, 1, 2});
  check_values(tg::svm_hinge_loss(scores, y, 1, Reduction::none), {2.9, 0, 12.9});
  CHECK(tg::svm_hinge_loss(scores, y).item() == doctest::Approx(15.8 / 3).epsilon(1e-12));
  CHECK(tg::svm_hinge_loss(scores, y, 1, Reduction::sum).item() == doctest::Approx(15.8).epsilon(1e-12));
  CHECK(tg::svm_hinge_loss(scores.to(tg::f32), y).item() == doctest::Approx(15.8 / 3).epsilon(1e-6));
  // Gradient of the sum: +1 on each active margin, minus their count on the label.
  Tensor s = scores.detach().clone().requires_grad_();
  tg::svm_hinge_loss(s, y, 1, Reduction::sum).backward();
  // Row 2: margins 2.2 - (-3.1) + 1 = 6.3 and 2.5 - (-3.1) + 1 = 6.6, both active.
  check_values(s.grad(), {-1, 1, 0, 0, 0, 0, 1, 1, -2});
}

TEST_CASE("SVM hinge loss of zero scores over 10 classes is 9") {
  CHECK(tg::svm_hinge_loss(tg::zeros({5, 10}), labels({0, 1, 2, 3, 9})).item() == doctest::Approx(9.0));
  CHECK(tg::svm_hinge_loss(tg::zeros({5, 10}, tg::f64), labels({0, 1, 2, 3, 9}), 2.0).item() == doctest::Approx(18.0));
}

TEST_CASE("mse_loss against a hand computation") {
  const Tensor target = f64({1, 0, 0}, {3});
  Tensor pred = f64({1, 2, 3}, {3}).requires_grad_();
  check_values(tg::mse_loss(pred, target, Reduction::none), {0, 4, 9});
  CHECK(tg::mse_loss(pred, target, Reduction::sum).item() == doctest::Approx(13.0));
  const Tensor loss = tg::mse_loss(pred, target);
  CHECK(loss.item() == doctest::Approx(13.0 / 3));
  loss.backward();
  check_values(pred.grad(), {0, 4.0 / 3, 2});  // 2 (pred - target) / 3
}

TEST_CASE("l2_penalty is the plain sum of squares, gradient 2 W") {
  Tensor w = f64({1, -2, 3, 0.5}, {2, 2}).requires_grad_();
  Tensor b = f64({3}, {1}).requires_grad_();
  const Tensor penalty = tg::l2_penalty({tg::transpose(w, 0, 1), b});
  CHECK(penalty.item() == doctest::Approx(1 + 4 + 9 + 0.25 + 9));
  penalty.backward();
  check_values(w.grad(), {2, -4, 6, 1});
  check_values(b.grad(), {6});
  CHECK(tg::l2_penalty({}).item() == 0);
  CHECK(tg::l2_penalty({tg::ones({300, 300})}).item() == doctest::Approx(90000.0));
}

TEST_CASE("raising the L2 penalty's weight raises the total loss") {
  tg::Generator gen(1);
  const Tensor x = tg::randn({8, 20}, tg::f32, &gen);
  const Tensor w = tg::randn({20, 10}, tg::f32, &gen) * 0.1;
  const Tensor y = tg::from_vector(std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7}, {8});
  const double data_loss = tg::cross_entropy(tg::matmul(x, w), y).item();
  double previous = data_loss;
  for (double lambda : {1e-3, 1e-2, 1e-1, 1.0}) {
    const double total = (tg::cross_entropy(tg::matmul(x, w), y) + tg::l2_penalty({w}) * (0.5 * lambda)).item();
    CHECK(total > previous);
    previous = total;
  }
}

TEST_CASE("loss errors name the op and what was wrong") {
  const Tensor logits = tg::zeros({4, 10});
  CHECK_ERROR(tg::cross_entropy(logits, labels({0, 1, 2, 10})),
              "cross_entropy: label 10 at index 3 is out of range for 10 classes");
  CHECK_ERROR(tg::cross_entropy(logits, labels({0, -1, 2, 3})),
              "cross_entropy: label -1 at index 1 is out of range for 10 classes");
  CHECK_ERROR(tg::cross_entropy(logits, tg::zeros({4})), "cross_entropy: labels must be i64 class indices, got f32 of shape [4]");
  CHECK_ERROR(tg::cross_entropy(logits, labels({0, 1, 2})),
              "cross_entropy: labels have shape [3], expected [4] (one per row of logits [4, 10])");
  CHECK_ERROR(tg::cross_entropy(tg::zeros({4, 10, 1}), labels({0, 1, 2, 3})),
              "cross_entropy: logits have 3 dims [4, 10, 1], expected 2 (N, C)");
  CHECK_ERROR(tg::cross_entropy(logits, labels({0, 1, 2, 3}), Reduction::mean, 1.5),
              "cross_entropy: label_smoothing must be in [0, 1], got 1.5");
  CHECK_ERROR(tg::cross_entropy(tg::zeros({0, 10}), tg::from_vector(std::vector<std::int64_t>{}, {0})),
              "cross_entropy: the mean over an empty batch (logits [0, 10]) is undefined");
  CHECK_ERROR(tg::svm_hinge_loss(logits, labels({0, 1, 2, 11})),
              "svm_hinge_loss: label 11 at index 3 is out of range for 10 classes");
  CHECK_ERROR(tg::svm_hinge_loss(tg::zeros({10}), labels({0})), "svm_hinge_loss: scores have 1 dims [10], expected 2 (N, C)");
  CHECK_ERROR(tg::nll_loss(logits, labels({0, 1, 2, 3, 4})), "nll_loss: labels have shape [5], expected [4]");
  CHECK_ERROR(tg::mse_loss(tg::zeros({3, 4}), tg::zeros({4, 3})),
              "mse_loss: pred has shape [3, 4] and target [4, 3]; they must be equal");
  CHECK_ERROR(tg::mse_loss(tg::zeros({3}), tg::zeros({3}, tg::f64)), "mse_loss: dtypes differ: f32 [3] and f64 [3]");
  CHECK_ERROR(tg::l2_penalty({tg::zeros({2}), tg::zeros({3}, tg::f64)}),
              "l2_penalty: parameter 1 is f64 [3] but parameter 0 is f32 [2]: all must share one dtype");
  CHECK_ERROR(tg::softmax(tg::zeros({2, 3}), 2), "softmax: axis 2 is out of range for a tensor with 2 dims");
  CHECK_ERROR(tg::log_softmax(tg::zeros({2, 3}), -3), "log_softmax: axis -3 is out of range for a tensor with 2 dims");
  CHECK_ERROR(tg::softmax(tg::arange(3), 0), "softmax: expected a floating tensor (f32 or f64), got i64 of shape [3]");
}

TEST_CASE("softmax and loss ops are in the op table") {
  for (const char* name : {"softmax", "softmax_axis0", "log_softmax", "log_softmax_axis0", "cross_entropy",
                           "cross_entropy_sum", "cross_entropy_none", "cross_entropy_smoothing", "nll_loss",
                           "svm_hinge_loss", "svm_hinge_loss_none", "svm_hinge_loss_sum", "mse_loss", "mse_loss_sum",
                           "mse_loss_none", "l2_penalty"}) {
    CAPTURE(name);
    CHECK_NOTHROW(tg::find_op(name));
  }
}
