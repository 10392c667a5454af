// Synchronized BatchNorm on MPI: N ranks with 1/N of a batch each normalize, and get
// gradients, as one process with the whole batch (tests/dist/CMakeLists.txt runs this
// under mpirun -np 2 and alone; alone, synchronized BatchNorm must equal plain BatchNorm,
// which the same comparisons check with N = 1).
//
// The bound: f32 values of order 1, compared relative to max(1, |value|) at 2e-5. The
// reference normalizes with oneDNN/loop statistics in f32, the synchronized layer with
// f64 sums; each side is within a few ulps (1.2e-7) per operation of the exact value
// over sums of at most a few hundred terms, so they agree to ~1e-6; 2e-5 leaves margin
// while a wrong count or a missing all-reduce changes values at the 1e-1 level.
#include <doctest/doctest.h>

#include <tapegrad/dist/collectives.hpp>
#include <tapegrad/dist/data_parallel.hpp>
#include <tapegrad/dist/sync_batch_norm.hpp>
#include <tapegrad/nn/nn.hpp>
#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

namespace dist = tg::dist;
namespace nn = tg::nn;
using tg::Tensor;

namespace {

constexpr double kBound = 2e-5;

// conv 3x3 -> BatchNorm2d -> ReLU -> flatten -> linear -> BatchNorm1d, f32, the same
// parameters on every rank (seeded).
std::shared_ptr<nn::Sequential> model() {
  tg::manual_seed(21);
  return std::make_shared<nn::Sequential>(std::vector<nn::ModulePtr>{
      std::make_shared<nn::Conv2d>(2, 3, 3), std::make_shared<nn::BatchNorm2d>(3), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::Flatten>(), std::make_shared<nn::Linear>(12, 4), std::make_shared<nn::BatchNorm1d>(4)});
}

// The whole batch and the loss weights, the same on every rank: per_rank * N examples.
struct Batch {
  Tensor x, r;
};
Batch whole_batch(std::int64_t n) {
  tg::Generator gen(8);
  Tensor x = tg::randn({n, 2, 4, 4}, tg::f32, &gen) * 1.5 + 0.5;
  return {x, tg::randn({n, 4}, tg::f32, &gen)};
}

// The mean over the batch's examples of sum_j y_ij r_ij.
Tensor loss_of(const Tensor& y, const Tensor& r) { return tg::sum(y * r) / static_cast<double>(y.size(0)); }

Tensor rows(const Tensor& t, std::int64_t begin, std::int64_t end) { return tg::slice(t, 0, begin, end); }

void check_close(const Tensor& got, const Tensor& want) {
  REQUIRE(got.shape() == want.shape());
  const auto a = got.to_vector<double>(), b = want.to_vector<double>();
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i] == doctest::Approx(b[i]).epsilon(kBound).scale(1));
}

std::vector<Tensor> buffers_of(const nn::Module& m) {
  std::vector<Tensor> out;
  for (const auto& [name, b] : m.named_buffers())
    if (b.dtype() != tg::i64) out.push_back(b);
  return out;
}

}  // namespace

TEST_CASE("dist synchronized BatchNorm: N ranks with 1/N of the batch match one process on all of it") {
  const std::int64_t n = dist::size(), r = dist::rank(), per_rank = 3;
  const Batch batch = whole_batch(per_rank * n);
  const std::int64_t begin = r * per_rank, end = begin + per_rank;

  auto replica = model();
  CHECK(dist::convert_sync_batch_norm(*replica) == 2);
  const Tensor x = rows(batch.x, begin, end).contiguous().requires_grad_();
  const Tensor y = (*replica)(x);
  loss_of(y, rows(batch.r, begin, end)).backward();

  // The reference, computed on every rank: plain BatchNorm on the whole batch.
  auto reference = model();
  const Tensor x_all = batch.x.detach().requires_grad_();
  const Tensor y_all = (*reference)(x_all);
  loss_of(y_all, batch.r).backward();

  check_close(y, rows(y_all, begin, end));
  // This rank's loss is a mean over per_rank examples, the reference's over N * per_rank:
  // this rank's dy, hence its dx, is N times the reference's rows (docs/distributed.md).
  check_close(x.grad() / static_cast<double>(n), rows(x_all.grad(), begin, end));
  const auto got_buffers = buffers_of(*replica), want_buffers = buffers_of(*reference);
  REQUIRE(got_buffers.size() == 4);
  for (std::size_t i = 0; i < got_buffers.size(); ++i) check_close(got_buffers[i], want_buffers[i]);
  // Every parameter's gradient (gamma, beta and those below the BatchNorms), averaged
  // over the ranks as DataParallel does, is the reference's.
  const auto got = replica->parameters(), want = reference->parameters();
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    Tensor g = got[i].grad().contiguous().clone();
    dist::all_reduce(g, dist::ReduceOp::mean);
    check_close(g, want[i].grad());
  }
}

TEST_CASE("dist synchronized BatchNorm with DataParallel: three SGD steps of N ranks equal one process's") {
  const std::int64_t n = dist::size(), r = dist::rank(), per_rank = 2;
  const Batch batch = whole_batch(per_rank * n);
  auto replica = model();
  dist::convert_sync_batch_norm(*replica);
  dist::DataParallel ddp(replica, {.bucket_bytes = 256});  // several buckets in flight beside BatchNorm's all-reduces
  auto opt = tg::optim::create("sgd", replica->parameters(), {{"lr", 0.1}});
  auto reference = model();
  auto ref_opt = tg::optim::create("sgd", reference->parameters(), {{"lr", 0.1}});
  const Tensor x = rows(batch.x, r * per_rank, (r + 1) * per_rank);
  const Tensor target = rows(batch.r, r * per_rank, (r + 1) * per_rank);
  for (int step = 0; step < 3; ++step) {
    opt->zero_grad();
    loss_of((*replica)(x), target).backward();
    ddp.synchronize();
    opt->step();
    ref_opt->zero_grad();
    loss_of((*reference)(batch.x), batch.r).backward();
    ref_opt->step();
  }
  const auto got = replica->parameters(), want = reference->parameters();
  for (std::size_t i = 0; i < got.size(); ++i) check_close(got[i], want[i]);
  const auto got_buffers = buffers_of(*replica), want_buffers = buffers_of(*reference);
  for (std::size_t i = 0; i < got_buffers.size(); ++i) check_close(got_buffers[i], want_buffers[i]);
  // Eval mode: the running statistics, no communication (ranks may evaluate different
  // amounts): rank 0 alone evaluates one more batch here.
  replica->eval();
  reference->eval();
  if (r == 0) check_close((*replica)(batch.x), (*reference)(batch.x));
}
