// tg::dist::DataParallel: N ranks with 1/N of the batch each take the same steps as one
// process with the whole batch (tests/dist/CMakeLists.txt runs this under mpirun -np 2).
#include <doctest/doctest.h>

#include <cmath>
#include <tapegrad/dist/collectives.hpp>
#include <tapegrad/dist/data_parallel.hpp>
#include <tapegrad/nn/nn.hpp>
#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

namespace dist = tg::dist;
namespace nn = tg::nn;
using tg::Tensor;

namespace {

// An f64 MLP, seeded per rank so that the broadcast is what makes the replicas equal.
std::shared_ptr<nn::Sequential> mlp(std::uint64_t seed) {
  tg::manual_seed(seed);
  auto m = std::make_shared<nn::Sequential>();
  m->push_back(std::make_shared<nn::Linear>(3, 4));
  m->push_back(std::make_shared<nn::Tanh>());
  m->push_back(std::make_shared<nn::Linear>(4, 2));
  m->to(tg::f64);
  return m;
}

// The whole batch, the same on every rank: 4 examples per rank.
Tensor batch_inputs(std::int64_t n) {
  tg::Generator gen(7);
  return tg::randn({n, 3}, tg::f64, &gen);
}

Tensor loss_of(nn::Module& m, const Tensor& x) { return tg::mean(tg::square(m(x))); }

std::vector<double> flat_parameters(const nn::Module& m) {
  std::vector<double> out;
  for (const Tensor& p : m.parameters())
    for (double v : p.to_vector<double>()) out.push_back(v);
  return out;
}

}  // namespace

TEST_CASE("dist DataParallel: N ranks with 1/N of the batch each step like one process with all of it") {
  const std::int64_t n = dist::size(), r = dist::rank(), per_rank = 4;
  const Tensor x = batch_inputs(per_rank * n);
  const Tensor shard = tg::slice(x, 0, r * per_rank, (r + 1) * per_rank);

  auto replica = mlp(100 + static_cast<std::uint64_t>(r));  // different until broadcast
  dist::DataParallel ddp(replica, {.bucket_bytes = 64});     // several small buckets
  CHECK(ddp.num_buckets() > 1);
  auto opt = tg::optim::create("sgd", replica->parameters(), {{"lr", 0.1}});

  auto reference = mlp(100);  // rank 0's initialization, trained on the whole batch alone
  auto ref_opt = tg::optim::create("sgd", reference->parameters(), {{"lr", 0.1}});

  for (int step = 0; step < 3; ++step) {
    opt->zero_grad();
    ddp.prepare_for_backward();
    loss_of(*replica, shard).backward();
    CHECK(ddp.buckets_in_flight() == ddp.num_buckets());  // started by the hooks, during backward
    ddp.synchronize();
    CHECK(ddp.buckets_in_flight() == 0);
    opt->step();
    ref_opt->zero_grad();
    loss_of(*reference, x).backward();
    ref_opt->step();
  }
  // The mean over ranks of the shards' mean gradients is the whole batch's mean gradient;
  // in f64 only the order of the sums differs.
  const std::vector<double> got = flat_parameters(*replica), want = flat_parameters(*reference);
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-12));
}

TEST_CASE("dist DataParallel: no_sync accumulates locally, the next synchronized step averages the sum") {
  const std::int64_t n = dist::size(), r = dist::rank(), per_rank = 2;
  const Tensor x = batch_inputs(2 * per_rank * n);
  auto replica = mlp(5);
  dist::DataParallel ddp(replica);
  // Two micro-batches per rank: the first under no_sync, the second synchronized.
  const Tensor first = tg::slice(x, 0, r * per_rank, (r + 1) * per_rank);
  const Tensor second = tg::slice(x, 0, (n + r) * per_rank, (n + r + 1) * per_rank);
  {
    auto scope = ddp.no_sync();
    loss_of(*replica, first).backward();
  }
  loss_of(*replica, second).backward();
  ddp.synchronize();
  std::vector<Tensor> got;
  for (const Tensor& p : replica->parameters()) got.push_back(p.grad().clone());

  // The same sum of the two micro-batches' gradients, computed by one process: the mean
  // over ranks of (g(first_r) + g(second_r)).
  auto reference = mlp(5);
  std::vector<Tensor> want;
  for (const Tensor& p : reference->parameters()) want.push_back(tg::zeros_like(p));
  for (std::int64_t k = 0; k < n; ++k) {
    for (std::int64_t part : {k, n + k}) {
      for (Tensor p : reference->parameters()) p.set_grad(Tensor{});
      loss_of(*reference, tg::slice(x, 0, part * per_rank, (part + 1) * per_rank)).backward();
      const auto params = reference->parameters();
      for (std::size_t i = 0; i < params.size(); ++i) want[i] = want[i] + params[i].grad() / static_cast<double>(n);
    }
  }
  for (std::size_t i = 0; i < got.size(); ++i) {
    const auto a = got[i].to_vector<double>(), b = want[i].to_vector<double>();
    for (std::size_t j = 0; j < a.size(); ++j) CHECK(a[j] == doctest::Approx(b[j]).epsilon(1e-12));
  }
}

TEST_CASE("dist DataParallel refuses a module without trainable parameters and synchronize inside no_sync") {
  CHECK_ERROR(dist::DataParallel{nullptr}, "tg::dist::DataParallel: the module is null");
  auto frozen = mlp(1);
  frozen->requires_grad(false);
  CHECK_ERROR(dist::DataParallel{frozen}, "the module has no parameter that requires grad");
  auto m = mlp(2);
  dist::DataParallel ddp(m);
  auto scope = ddp.no_sync();
  CHECK_ERROR(ddp.synchronize(), "synchronize inside a no_sync scope");
}

TEST_CASE("dist DataParallel: a backward or tg::grad not prepared communicates nothing, and synchronize still averages") {
  const std::int64_t r = dist::rank();
  const Tensor x = batch_inputs(4 * dist::size());
  const Tensor shard = tg::slice(x, 0, 4 * r, 4 * (r + 1));
  auto replica = mlp(9);
  dist::DataParallel ddp(replica, {.bucket_bytes = 64});
  // A diagnostic's gradient on this rank alone (the other ranks do nothing of the sort).
  const auto params = replica->parameters();
  const Tensor loss = loss_of(*replica, shard);
  tg::grad(std::span<const Tensor>(&loss, 1), params);
  CHECK(ddp.buckets_in_flight() == 0);
  loss_of(*replica, shard).backward();
  CHECK(ddp.buckets_in_flight() == 0);  // not prepared: nothing started during backward
  ddp.synchronize();                    // starts and waits for every bucket
  std::vector<Tensor> got;
  for (const Tensor& p : params) got.push_back(p.grad().clone());
  // Prepared through the wrapper's forward: the same averaged gradients.
  for (Tensor p : replica->parameters()) p.set_grad(Tensor{});
  tg::mean(tg::square(ddp(shard))).backward();  // loss_of through the wrapper
  CHECK(ddp.buckets_in_flight() == ddp.num_buckets());
  ddp.synchronize();
  for (std::size_t i = 0; i < got.size(); ++i) {
    const auto a = got[i].to_vector<double>(), b = params[i].grad().to_vector<double>();
    for (std::size_t j = 0; j < a.size(); ++j) CHECK(a[j] == doctest::Approx(b[j]).epsilon(1e-12));
  }
}

TEST_CASE("dist DataParallel: the first bucket closes at first_bucket_bytes, so a small model still overlaps") {
  // 8 -> 600 -> 600 -> 10: in reverse order fc3 (24 KB) and fc2 (1.44 MB) fill the first
  // bucket past 1 MB, and fc1 (19 KB) starts the second.
  const auto three_layers = [] {
    tg::manual_seed(3);
    return std::make_shared<nn::Sequential>(std::vector<nn::ModulePtr>{
        std::make_shared<nn::Linear>(8, 600), std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(600, 600),
        std::make_shared<nn::ReLU>(), std::make_shared<nn::Linear>(600, 10)});
  };
  auto model = three_layers();
  dist::DataParallel ddp(model);  // the defaults: 25 MB buckets, the first 1 MB
  CHECK(ddp.num_buckets() == 2);
  tg::Generator gen(11);
  const Tensor x = tg::randn({4, 8}, tg::f32, &gen);
  tg::mean(tg::square(ddp(x))).backward();
  CHECK(ddp.buckets_in_flight() == 2);  // both started by the hooks
  ddp.synchronize();
  dist::DataParallel one_bucket(three_layers(), {.first_bucket_bytes = std::size_t{25} << 20});
  CHECK(one_bucket.num_buckets() == 1);
  CHECK_ERROR(dist::DataParallel(three_layers(), {.first_bucket_bytes = 0}),
              "tg::dist::DataParallel: first_bucket_bytes must be > 0");
}
