// Trainer with TrainOptions::distributed on the ranks of the job: N ranks with per-rank
// batch b train like one process with batch N*b (augmentation included: it is keyed by
// sample), only rank 0 writes files, and a distributed run resumes from its run state.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include <tapegrad/dist/collectives.hpp>
#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>
#include <tapegrad/train/trainer.hpp>

using namespace tg::train;
namespace dist = tg::dist;
using tg::Tensor;

namespace {

// 4 classes of 8x8 images: class k brightens row band k, plus noise. n samples.
tg::nn::data::Dataset bands(std::int64_t n, std::uint64_t seed) {
  tg::Generator gen(seed);
  Tensor images = tg::rand({n, 1, 8, 8}, tg::f32, &gen) * 0.5;
  std::vector<std::int64_t> labels(static_cast<std::size_t>(n));
  float* px = images.data<float>();
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t k = i % 4;
    labels[static_cast<std::size_t>(i)] = k;
    for (std::int64_t h = 2 * k; h < 2 * k + 2; ++h)
      for (std::int64_t w = 0; w < 8; ++w) px[i * 64 + h * 8 + w] += 1.0f;
  }
  return {images, tg::from_vector(labels, {n})};
}

TrainData band_data() { return {bands(96, 1), bands(40, 2), bands(36, 3)}; }

tg::nn::ModulePtr small_net() {
  tg::manual_seed(5);
  return std::make_shared<tg::nn::Sequential>(std::vector<tg::nn::ModulePtr>{
      std::make_shared<tg::nn::Flatten>(), std::make_shared<tg::nn::Linear>(64, 16), std::make_shared<tg::nn::ReLU>(),
      std::make_shared<tg::nn::Linear>(16, 4)});
}

// conv -> BatchNorm -> ReLU -> linear: its steps depend on the batch statistics.
tg::nn::ModulePtr bn_net() {
  tg::manual_seed(6);
  return std::make_shared<tg::nn::Sequential>(std::vector<tg::nn::ModulePtr>{
      std::make_shared<tg::nn::Conv2d>(1, 4, 3, tg::Conv2dOptions{.padding = 1}),
      std::make_shared<tg::nn::BatchNorm2d>(4), std::make_shared<tg::nn::ReLU>(), std::make_shared<tg::nn::Flatten>(),
      std::make_shared<tg::nn::Linear>(4 * 64, 4)});
}

double largest_difference(const std::vector<double>& a, const std::vector<double>& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

TrainOptions options_for(std::int64_t batch, bool distributed) {
  TrainOptions o;
  o.epochs = 3;
  o.batch_size = batch;
  o.seed = 4;
  o.optimizer = "momentum";
  o.optimizer_options = tg::optim::Options{{"lr", 0.05}};
  o.schedule = "none";
  o.augmentation = {.flip_probability = 0.5, .crop_padding = 1, .jitter = 0.1};
  o.distributed = distributed;
  return o;
}

std::vector<double> flat_parameters(const tg::nn::Module& m) {
  std::vector<double> out;
  for (const Tensor& p : m.parameters())
    for (double v : p.to_vector<double>()) out.push_back(v);
  return out;
}

// The same path on every rank, per job size (the np 1 and np 2 jobs may run at once).
std::string job_folder(const char* name) {
  return std::filesystem::absolute(std::string(name) + "-np" + std::to_string(dist::size())).string();
}

void fresh_folder(const std::string& path) {
  if (dist::rank() == 0) {
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  dist::barrier();
}

}  // namespace

TEST_CASE("dist Trainer: N ranks of batch b train like one process of batch N*b, to f32 round-off") {
  const std::int64_t n = dist::size(), b = 6;  // 96 samples: 96 / (6 N) full steps for N = 1, 2, 4
  const TrainData data = band_data();
  Trainer job(small_net(), options_for(b, true));
  const TrainResult together = job.fit(data);
  Trainer alone(small_net(), options_for(b * n, false));
  const TrainResult reference = alone.fit(data);

  // The steps differ only in the order of the gradient sums (a mean of N shard means vs
  // one mean): f32 round-off, ~1e-7 relative per step, carried through 3 epochs of 16/N
  // momentum steps on parameters of size ~0.3; 2e-5 absolute bounds it with margin.
  const std::vector<double> got = flat_parameters(job.model()), want = flat_parameters(alone.model());
  REQUIRE(got.size() == want.size());
  double worst = 0;
  for (std::size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
  MESSAGE("largest parameter difference after 3 epochs: " << worst);
  CHECK(worst < 2e-5);
  // The job's numbers are the whole epoch's and the whole validation and test sets'.
  REQUIRE(together.history.size() == reference.history.size());
  for (std::size_t e = 0; e < together.history.size(); ++e) {
    CHECK(together.history[e].train_loss == doctest::Approx(reference.history[e].train_loss).epsilon(1e-4));
    CHECK(together.history[e].train_accuracy == reference.history[e].train_accuracy);
    CHECK(together.history[e].validation.accuracy == reference.history[e].validation.accuracy);
    CHECK(together.history[e].validation.loss == doctest::Approx(reference.history[e].validation.loss).epsilon(1e-4));
  }
  CHECK(together.test.accuracy == reference.test.accuracy);
  CHECK(together.test.loss == doctest::Approx(reference.test.loss).epsilon(1e-4));
  CHECK(together.test.accuracy > 0.9);  // it learned the bands
  CHECK(together.ranks == n);
  CHECK(reference.ranks == 1);
}

TEST_CASE("dist Trainer: with synchronized BatchNorm, N ranks train like one process on the global batch") {
  const std::int64_t n = dist::size(), b = 6;
  const TrainData data = band_data();
  TrainOptions synced = options_for(b, true);
  synced.sync_batch_norm = true;
  Trainer job(bn_net(), synced);
  const TrainResult together = job.fit(data);
  Trainer alone(bn_net(), options_for(b * n, false));
  const TrainResult reference = alone.fit(data);
  // Parameters and buffers (the running statistics are the global batch's too). The same
  // f32 round-off bound as without BatchNorm: only the order of the sums differs.
  std::vector<double> got = flat_parameters(job.model()), want = flat_parameters(alone.model());
  for (const Tensor& t : job.model().buffers())
    if (t.dtype() == tg::f32) for (double v : t.to_vector<double>()) got.push_back(v);
  for (const Tensor& t : alone.model().buffers())
    if (t.dtype() == tg::f32) for (double v : t.to_vector<double>()) want.push_back(v);
  const double worst = largest_difference(got, want);
  MESSAGE("synchronized BatchNorm: largest parameter or statistic difference after 3 epochs: " << worst);
  CHECK(worst < 2e-5);
  CHECK(together.test.accuracy == reference.test.accuracy);
  if (n > 1) {  // per-rank statistics (the default) are another computation
    Trainer per_rank(bn_net(), options_for(b, true));
    per_rank.fit(data);
    CHECK(largest_difference(flat_parameters(per_rank.model()), flat_parameters(alone.model())) > 1e-4);
  }
}

TEST_CASE("dist Trainer: only rank 0 writes, and a distributed run resumes from its run state as if not stopped") {
  const std::string straight_dir = job_folder("dist-trainer-straight"), resumed_dir = job_folder("dist-trainer-resumed");
  fresh_folder(straight_dir);
  fresh_folder(resumed_dir);
  const TrainData data = band_data();

  TrainOptions straight_options = options_for(6, true);
  straight_options.checkpoint_dir = straight_dir;
  Trainer straight(small_net(), straight_options);
  const TrainResult full = straight.fit(data);
  if (dist::rank() == 0) {
    CHECK(std::filesystem::exists(straight_dir + "/model-run.safetensors"));
    CHECK(!full.checkpoint.empty());
  } else {
    CHECK(full.checkpoint.empty());  // the others write nothing and name no file
    CHECK(full.run_state.empty());
  }

  TrainOptions first_options = straight_options;
  first_options.checkpoint_dir = resumed_dir;
  first_options.epochs = 2;
  Trainer first(small_net(), first_options);
  first.fit(data);
  dist::barrier();  // rank 0 has written the run state
  TrainOptions rest_options = first_options;
  rest_options.epochs = 3;
  rest_options.resume_from = resumed_dir + "/model-run.safetensors";
  Trainer rest(small_net(), rest_options);
  const TrainResult resumed = rest.fit(data);
  CHECK(flat_parameters(rest.model()) == flat_parameters(straight.model()));
  REQUIRE(resumed.history.size() == 3);
  CHECK(resumed.history.back().validation.loss == full.history.back().validation.loss);
  CHECK(resumed.test.accuracy == full.test.accuracy);
}

TEST_CASE("dist Trainer: a share of the validation set may be empty when it has fewer samples than ranks") {
  TrainData data = band_data();
  data.validation = data.validation.subset({0});  // one sample: the other ranks score nothing
  Trainer job(small_net(), options_for(6, true));
  const TrainResult result = job.fit(data);
  for (const EpochRecord& record : result.history)
    CHECK((record.validation.accuracy == 0.0 || record.validation.accuracy == 1.0));
}
