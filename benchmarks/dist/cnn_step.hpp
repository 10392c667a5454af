#pragma once
// The `cnn` training step of the dist benchmarks: nn::make_model("cnn"), batch 64 of
// 1x28x28 per rank (as benchmarks/bench_cnn_step.cpp), cross-entropy, SGD momentum 0.9.
#include <chrono>

#include <tapegrad/optim/optim.hpp>
#include <tapegrad/train/models.hpp>

#include "dist_bench.hpp"

namespace tg::bench::dist_bench {

inline constexpr std::int64_t kBatch = 64;
inline constexpr int kWarmup = 3;

struct CnnStep {
  explicit CnnStep(std::int64_t width) {
    // Naming a symbol of libtapegrad_train keeps it linked (the linker drops a library
    // the program does not use), and loading it registers "cnn".
    TG_CHECK(!tg::train::builtin_models().empty(), "the built-in models are missing");
    tg::manual_seed(0);
    model = tg::nn::make_model("cnn", {.width = width});
    tg::Generator gen(1 + static_cast<std::uint64_t>(tg::dist::rank()));  // each rank its own shard
    images = tg::randn({kBatch, 1, 28, 28}, tg::f32, &gen);
    labels = (tg::rand({kBatch}, tg::f64, &gen) * 10.0).to(tg::i64);
    optimizer =
        tg::optim::create("momentum", model->parameters(), {{"lr", 0.01}, {"momentum", 0.9}, {"rho_form", true}});
  }
  // waited: adds the seconds synchronize() took (the all-reduce time not hidden behind
  // backward, plus the wait for the slower rank).
  void run(tg::dist::DataParallel* ddp, double* waited = nullptr) {
    optimizer->zero_grad();
    tg::Tensor loss = tg::cross_entropy(ddp ? (*ddp)(images) : (*model)(images), labels);  // ddp(x) arms the hooks
    loss.backward();
    if (ddp) {
      const auto start = std::chrono::steady_clock::now();
      ddp->synchronize();
      if (waited) *waited += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    optimizer->step();
    benchmark::DoNotOptimize(loss.raw_data());
  }
  std::int64_t parameter_count() const {
    std::int64_t n = 0;
    for (const tg::Tensor& p : model->parameters()) n += p.numel();
    return n;
  }
  tg::nn::ModulePtr model;
  tg::Tensor images, labels;
  std::unique_ptr<tg::optim::Optimizer> optimizer;
};

}  // namespace tg::bench::dist_bench
