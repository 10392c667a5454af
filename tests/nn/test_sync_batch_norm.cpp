// Synchronized BatchNorm without MPI: a fake reducer multiplying by k stands for k
// processes that hold the same batch, so synchronized BatchNorm on x must equal plain
// BatchNorm on x repeated k times along the batch (docs/distributed.md, "Synchronized
// BatchNorm").
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

namespace nn = tg::nn;
using tg::Tensor;

namespace {

// k processes with identical tensors: the sum across them is k times this one's.
struct IdenticalProcesses : nn::SumAcrossProcesses {
  explicit IdenticalProcesses(double k) : k(k) {}
  void all_reduce_sum(Tensor& t) override {
    ++calls;
    tg::NoGradGuard no_grad;
    t.copy_(t * k);
  }
  double k;
  int calls = 0;
};

// Gives back a tensor of another shape: a broken implementation.
struct ShrinkingReducer : nn::SumAcrossProcesses {
  void all_reduce_sum(Tensor& t) override { t = tg::zeros({1}, t.dtype()); }
};

// Every entry of got equals want's to a relative (and, near 0, absolute) tolerance tol.
void check_close(const Tensor& got, const Tensor& want, double tol) {
  REQUIRE(got.shape() == want.shape());
  const auto a = got.to_vector<double>(), b = want.to_vector<double>();
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(b[i]).epsilon(tol).scale(1));
}

Tensor repeated(const Tensor& x, int k) { return tg::concat(std::vector<Tensor>(static_cast<std::size_t>(k), x), 0); }

// gamma and beta away from their defaults, so that their gradients and use are tested.
void set_affine(nn::BatchNorm& bn) {
  tg::NoGradGuard no_grad;
  const std::int64_t C = bn.num_features();
  Tensor(bn.weight()).copy_(tg::arange(0.0, static_cast<double>(C), 1.0, bn.weight().dtype()) * 0.5 + 0.75);
  Tensor(bn.bias()).copy_(tg::arange(0.0, static_cast<double>(C), 1.0, bn.bias().dtype()) * -0.25 + 0.1);
}

// Synchronized BatchNorm on x with k identical processes against plain BatchNorm on x
// repeated k times: outputs, running statistics, and gradients of sum(y * r) (r repeated
// too, as every process has the same loss). The gradients of x agree as they are (the
// backward all-reduce adds the k processes' sums, as the plain layer adds the k copies');
// this process's gamma and beta gradients are its own share, 1/k of the plain ones.
void check_against_repeated(nn::BatchNorm& sync, nn::BatchNorm& plain, const Tensor& x0, int k, double tol) {
  auto reducer = std::make_shared<IdenticalProcesses>(k);
  sync.set_synchronization(reducer);
  tg::Generator gen(11);
  for (int step = 0; step < 2; ++step) {  // the running statistics after two updates
    const Tensor x = (x0 * (1.0 + step)).detach().requires_grad_();
    const Tensor r = tg::randn(x.shape(), x.dtype(), &gen);
    const Tensor big = repeated(x.detach(), k).requires_grad_();
    for (Tensor p : sync.parameters()) p.set_grad(Tensor{});
    for (Tensor p : plain.parameters()) p.set_grad(Tensor{});
    const Tensor y = sync(x), y_plain = plain(big);
    check_close(y, tg::slice(y_plain, 0, 0, x.size(0)), tol);
    tg::sum(y * r).backward();
    tg::sum(y_plain * repeated(r, k)).backward();
    check_close(x.grad(), tg::slice(big.grad(), 0, 0, x.size(0)), tol);
    check_close(sync.weight().grad() * static_cast<double>(k), plain.weight().grad(), tol);
    check_close(sync.bias().grad() * static_cast<double>(k), plain.bias().grad(), tol);
  }
  check_close(sync.running_mean(), plain.running_mean(), tol);
  check_close(sync.running_var(), plain.running_var(), tol);
  CHECK(sync.num_batches_tracked() == 2);
  CHECK(reducer->calls == 4);  // per step: one in forward, one in backward
}

}  // namespace

TEST_CASE("nn synchronized BatchNorm2d with k identical processes equals BatchNorm2d on the batch repeated k times") {
  nn::BatchNorm2d sync(3), plain(3);
  sync.to(tg::f64);
  plain.to(tg::f64);
  set_affine(sync);
  set_affine(plain);
  tg::Generator gen(3);
  const Tensor x = tg::randn({2, 3, 2, 3}, tg::f64, &gen) * 2.0 + 1.0;
  // f64 throughout: only the order of the sums differs.
  check_against_repeated(sync, plain, x, 3, 1e-12);
}

TEST_CASE("nn synchronized BatchNorm1d in f32 with k identical processes equals BatchNorm1d on the repeated batch") {
  nn::BatchNorm1d sync(4, {.momentum = std::nullopt}), plain(4, {.momentum = std::nullopt});
  set_affine(sync);
  set_affine(plain);
  tg::Generator gen(4);
  // A transposed view: any layout is accepted.
  const Tensor x = tg::transpose(tg::randn({4, 5}, tg::f32, &gen), 0, 1);
  // f32: both normalize with statistics accumulated in different orders (and the
  // synchronized one in f64): agreement to a few f32 ulps of values of order 1.
  check_against_repeated(sync, plain, x, 2, 1e-5);
}

TEST_CASE("nn synchronized BatchNorm with a reducer that adds nothing (one process) equals plain BatchNorm") {
  nn::BatchNorm2d sync(2), plain(2);
  set_affine(sync);
  set_affine(plain);
  check_against_repeated(sync, plain, tg::randn({3, 2, 4, 4}) * 3.0 - 2.0, 1, 1e-5);
}

TEST_CASE("nn synchronized_batch_norm: gradcheck and gradgradcheck in f64 with k identical processes") {
  auto reducer = std::make_shared<IdenticalProcesses>(2);
  tg::Generator gen(5);
  for (const tg::Shape& shape : {tg::Shape{3, 4}, tg::Shape{2, 3, 2, 2}}) {
    const std::int64_t C = shape[1];
    const std::vector<Tensor> inputs{tg::randn(shape, tg::f64, &gen), tg::rand({C}, tg::f64, &gen) + 0.5,
                                     tg::randn({C}, tg::f64, &gen)};
    const auto fn = [&](const std::vector<Tensor>& in) {
      return nn::synchronized_batch_norm(in[0], in[1], in[2], {}, {}, 0.1, 1e-5, reducer);
    };
    const tg::GradcheckReport first = tg::gradcheck(fn, inputs);
    CHECK_MESSAGE(first.passed(), first.table());
    const tg::GradcheckReport second = tg::gradgradcheck(fn, inputs);
    CHECK_MESSAGE(second.passed(), second.table());
    // Without weight and bias.
    const auto bare = [&](const std::vector<Tensor>& in) {
      return nn::synchronized_batch_norm(in[0], {}, {}, {}, {}, 0.1, 1e-5, reducer);
    };
    const tg::GradcheckReport plain = tg::gradcheck(bare, {inputs[0]});
    CHECK_MESSAGE(plain.passed(), plain.table());
  }
}

TEST_CASE("nn synchronized BatchNorm communicates only in training, and not in backward when x needs no gradient") {
  auto reducer = std::make_shared<IdenticalProcesses>(2);
  nn::BatchNorm1d bn(3);
  bn.set_synchronization(reducer);
  const Tensor x = tg::randn({4, 3});
  bn.eval();
  tg::sum(bn(x.detach().requires_grad_())).backward();
  CHECK(reducer->calls == 0);
  bn.train();
  const Tensor y = bn(x);  // x needs no gradient: gamma and beta's are local
  CHECK(reducer->calls == 1);
  tg::sum(y * y).backward();
  CHECK(reducer->calls == 1);
  CHECK(bn.weight().grad().defined());
  tg::sum(bn(x.detach().requires_grad_())).backward();
  CHECK(reducer->calls == 3);
}

TEST_CASE("nn set_batch_norm_synchronization sets every BatchNorm of a tree and counts them") {
  auto model = std::make_shared<nn::Sequential>(std::vector<nn::ModulePtr>{
      std::make_shared<nn::Conv2d>(1, 2, 3), std::make_shared<nn::BatchNorm2d>(2), std::make_shared<nn::Flatten>(),
      std::make_shared<nn::Linear>(8, 4), std::make_shared<nn::BatchNorm1d>(4)});
  auto reducer = std::make_shared<IdenticalProcesses>(1);
  CHECK(nn::set_batch_norm_synchronization(*model, reducer) == 2);
  const auto bn = std::dynamic_pointer_cast<nn::BatchNorm>(model->at(1));
  CHECK(bn->synchronization() == reducer);
  CHECK(bn->to_string() == "BatchNorm2d(2, eps=1e-05, momentum=0.1, synchronized)");
  CHECK(nn::set_batch_norm_synchronization(*model, nullptr) == 2);
  CHECK(bn->synchronization() == nullptr);
  nn::Linear no_norm(2, 2);
  CHECK(nn::set_batch_norm_synchronization(no_norm, reducer) == 0);
}

TEST_CASE("nn synchronized_batch_norm refuses bad arguments") {
  auto reducer = std::make_shared<IdenticalProcesses>(1);
  const Tensor x = tg::randn({4, 3});
  const auto call = [&](const Tensor& in, const Tensor& w, const Tensor& b, const Tensor& rm, const Tensor& rv,
                        double momentum, double eps, std::shared_ptr<nn::SumAcrossProcesses> r) {
    return nn::synchronized_batch_norm(in, w, b, rm, rv, momentum, eps, r);
  };
  const Tensor c3 = tg::ones({3});
  CHECK_ERROR(call(x, {}, {}, {}, {}, 0.1, 1e-5, nullptr), "synchronized_batch_norm: the reducer is null");
  CHECK_ERROR(call(tg::randn({4, 3, 2}), {}, {}, {}, {}, 0.1, 1e-5, reducer),
              "synchronized_batch_norm: input has 3 dims [4, 3, 2], expected 2 (N, C) or 4 (N, C, H, W)");
  CHECK_ERROR(call(tg::zeros({4, 3}, tg::i64), {}, {}, {}, {}, 0.1, 1e-5, reducer),
              "synchronized_batch_norm: expected an f32 or f64 input, got i64");
  CHECK_ERROR(call(x, tg::ones({2}), {}, {}, {}, 0.1, 1e-5, reducer),
              "synchronized_batch_norm: weight has shape [2], expected [3]");
  CHECK_ERROR(call(x, {}, tg::ones({3}, tg::f64), {}, {}, 0.1, 1e-5, reducer),
              "synchronized_batch_norm: bias is f64 [3], the input is f32 [4, 3]");
  CHECK_ERROR(call(x, {}, {}, tg::zeros({3}), {}, 0.1, 1e-5, reducer),
              "running_mean and running_var must be given together");
  CHECK_ERROR(call(x, c3, {}, {}, {}, 0.1, 0.0, reducer), "synchronized_batch_norm: eps must be positive, got 0");
  CHECK_ERROR(call(x, c3, {}, {}, {}, 1.5, 1e-5, reducer), "momentum must be in [0, 1], got 1.5");
  // One value per channel in the whole job: no variance to normalize with.
  CHECK_ERROR(call(tg::randn({1, 3}), {}, {}, {}, {}, 0.1, 1e-5, reducer),
              "expected more than 1 value per channel across processes when training, got 1 (input of shape [1, 3]");
  // Two processes with one sample each are enough.
  CHECK(call(tg::randn({1, 3}), {}, {}, {}, {}, 0.1, 1e-5, std::make_shared<IdenticalProcesses>(2)).defined());
  CHECK_ERROR(call(x, {}, {}, {}, {}, 0.1, 1e-5, std::make_shared<ShrinkingReducer>()),
              "sum_across_processes: the reducer changed the tensor's shape or dtype (gave f64 [1], expected f64 [7])");
  CHECK_ERROR(nn::sum_across_processes(x, nullptr), "sum_across_processes: the reducer is null");
  CHECK_ERROR(nn::sum_across_processes(tg::zeros({2}, tg::i64), reducer),
              "sum_across_processes: expected an f32 or f64 tensor, got i64 [2]");
}

TEST_CASE("nn sum_across_processes: the gradient is the sum across processes of the output's gradient") {
  auto reducer = std::make_shared<IdenticalProcesses>(3);
  const Tensor x = tg::from_vector(std::vector<double>{1, -2}, {2}).requires_grad_();
  const Tensor y = nn::sum_across_processes(x, reducer);
  CHECK(y.to_vector<double>() == std::vector<double>{3, -6});
  tg::sum(y * y).backward();  // d/dx of sum_p (sum_q x_q)^2 at identical x: 3 * 2 * 3x
  CHECK(x.grad().to_vector<double>() == std::vector<double>{18, -36});
  CHECK(reducer->calls == 2);
}

TEST_CASE("nn synchronized_batch_norm in anomaly mode names itself when its output is not finite") {
  tg::AnomalyModeGuard anomaly;
  const Tensor gamma = tg::full({2}, std::numeric_limits<double>::infinity());
  const auto reducer = std::make_shared<IdenticalProcesses>(2);
  CHECK_ERROR(nn::synchronized_batch_norm(tg::randn({3, 2}), gamma, {}, {}, {}, 0.1, 1e-5, reducer),
              "anomaly: forward of synchronized_batch_norm produced");
}

TEST_CASE("nn synchronized BatchNorm in f32 keeps its accuracy on a channel whose mean is 1000 standard deviations") {
  // The variance comes from f64 sums of x and x^2: var = E[x^2] - mean^2 loses about
  // log10(mean^2 / var) = 6 of f64's 16 digits here, far below f32's resolution.
  nn::BatchNorm1d sync(2), plain(2);
  sync.set_synchronization(std::make_shared<IdenticalProcesses>(2));
  tg::Generator gen(9);
  const Tensor x = tg::randn({6, 2}, tg::f32, &gen) + 1000.0;
  const Tensor y = sync(x), y_plain = plain(repeated(x, 2));
  // x itself carries f32 rounding of 1000 (ulp 6e-5) on both sides; the outputs have
  // standard deviation 1.
  const auto a = y.to_vector<double>(), b = tg::slice(y_plain, 0, 0, 6).to_vector<double>();
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(std::abs(a[i] - b[i]) < 5e-4);
  check_close(sync.running_var(), plain.running_var(), 1e-4);
}
