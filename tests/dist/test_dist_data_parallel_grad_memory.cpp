// tg::dist::DataParallel::synchronize writes the mean into the gradient tensor backward
// left when the parameter alone holds it (no allocation per step, as PyTorch's
// DistributedDataParallel), and replaces a gradient that someone else also holds.
#include <doctest/doctest.h>

#include <tapegrad/dist/collectives.hpp>
#include <tapegrad/dist/data_parallel.hpp>
#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>

namespace dist = tg::dist;
namespace nn = tg::nn;
using tg::Tensor;

namespace {

// An f32 linear layer after one backward of a rank-dependent batch (the ranks' gradients
// differ), not yet synchronized.
struct AfterBackward {
  AfterBackward() {
    tg::manual_seed(3);
    m = std::make_shared<nn::Linear>(3, 2);
    ddp = std::make_unique<dist::DataParallel>(m);
    tg::Generator gen(11 + static_cast<std::uint64_t>(dist::rank()));
    tg::mean(tg::square((*m)(tg::randn({4, 3}, tg::f32, &gen)))).backward();
  }
  std::shared_ptr<nn::Linear> m;
  std::unique_ptr<dist::DataParallel> ddp;
};

// The mean over ranks of t, computed apart from DataParallel.
std::vector<float> mean_over_ranks(const Tensor& t) {
  Tensor copy = t.clone();
  dist::all_reduce(copy, dist::ReduceOp::mean);
  return copy.to_vector<float>();
}

}  // namespace

TEST_CASE("dist DataParallel synchronize writes the mean into the gradient backward left, in place") {
  AfterBackward run;
  const auto& m = run.m;
  dist::DataParallel* ddp = run.ddp.get();
  std::vector<const void*> memory;
  std::vector<std::vector<float>> want;
  for (const Tensor& p : m->parameters()) {
    memory.push_back(p.grad().raw_data());
    want.push_back(mean_over_ranks(p.grad()));
  }
  ddp->synchronize();
  const auto params = m->parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    CHECK(params[i].grad().raw_data() == memory[i]);
    const auto got = params[i].grad().to_vector<float>();
    REQUIRE(got.size() == want[i].size());
    for (std::size_t j = 0; j < got.size(); ++j) CHECK(got[j] == doctest::Approx(want[i][j]).epsilon(1e-6));
  }
}

TEST_CASE("dist DataParallel synchronize replaces a gradient another tensor holds, leaving that one as it was") {
  AfterBackward run;
  const auto& m = run.m;
  dist::DataParallel* ddp = run.ddp.get();
  const Tensor kept = m->parameters()[0].grad();  // a second handle on the weight's gradient
  const std::vector<float> local = kept.to_vector<float>();
  const std::vector<float> want = mean_over_ranks(kept);
  ddp->synchronize();
  const Tensor now = m->parameters()[0].grad();
  CHECK_FALSE(now.same(kept));
  CHECK(kept.to_vector<float>() == local);
  const auto got = now.to_vector<float>();
  for (std::size_t j = 0; j < got.size(); ++j) CHECK(got[j] == doctest::Approx(want[j]).epsilon(1e-6));
}
