// The kernel layer's oneDNN plumbing: the bounded primitive cache, oneDNN errors
// reaching the user as tg::Error, and the op sweep surviving an op that throws.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>

#include <tapegrad/ops/backend_stats.hpp>
#include <tapegrad/ops/backend_testing.hpp>
#include <tapegrad/ops/conv.hpp>
#include <tapegrad/ops/op_sweep.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

using tg::Tensor;

namespace {

// Restores the calling thread's cache bound and cancels an untriggered forced failure.
struct KernelTestState {
  ~KernelTestState() {
    tg::testing::set_dnnl_primitive_cache_capacity(1024);
    tg::testing::dnnl_fail_next_primitive_creation(false);
  }
};

// exp of an f32 vector of n elements (from 512 on, exp runs on oneDNN's eltwise).
void run_exp(std::int64_t n) { (void)tg::exp(tg::ones({n})); }

}  // namespace

TEST_CASE("primitive cache holds at most its capacity, evicting the least recently used") {
  KernelTestState restore;
  tg::testing::set_dnnl_primitive_cache_capacity(4);
  CHECK(tg::dnnl_primitive_cache_stats().capacity == 4);
  CHECK(tg::dnnl_primitive_cache_stats().size <= 4);
  const std::int64_t created = tg::dnnl_primitives_created();
  for (std::int64_t i = 0; i < 10; ++i) run_exp(7001 + i);  // 10 shapes no other test uses
  CHECK(tg::dnnl_primitives_created() == created + 10);
  CHECK(tg::dnnl_primitive_cache_stats().size == 4);

  // The newest shape is a hit: its primitive is reused, nothing is created.
  const tg::DnnlCacheStats before_hit = tg::dnnl_primitive_cache_stats();
  run_exp(7010);
  const tg::DnnlCacheStats after_hit = tg::dnnl_primitive_cache_stats();
  CHECK(after_hit.hits == before_hit.hits + 1);
  CHECK(after_hit.misses == before_hit.misses);
  CHECK(tg::dnnl_primitives_created() == created + 10);

  // The oldest was evicted: it is created again, and the cache stays at its bound.
  run_exp(7001);
  CHECK(tg::dnnl_primitive_cache_stats().misses == after_hit.misses + 1);
  CHECK(tg::dnnl_primitives_created() == created + 11);
  CHECK(tg::dnnl_primitive_cache_stats().size == 4);
}

TEST_CASE("primitive cache capacity below 4 is refused") {
  KernelTestState restore;
  CHECK_ERROR(tg::testing::set_dnnl_primitive_cache_capacity(3), "primitive cache: capacity 3 is below the minimum 4");
}

TEST_CASE("a oneDNN failure in conv2d is a tg::Error naming the op, oneDNN's status and the shapes") {
  KernelTestState restore;
  const Tensor x = tg::ones({1, 3, 13, 11}), w = tg::ones({5, 3, 3, 3});
  tg::testing::dnnl_fail_next_primitive_creation();
  CHECK_ERROR(tg::conv2d(x, w),
              "conv2d: oneDNN failed (status unimplemented, 'could not create a primitive descriptor (failure forced "
              "by a test)') for input [1, 3, 13, 11] weight [5, 3, 3, 3]");
  // The failure is not cached: the next call creates the primitive and runs.
  CHECK(tg::conv2d(x, w).shape() == tg::Shape{1, 5, 11, 9});
}

TEST_CASE("a oneDNN failure in matmul is a tg::Error naming both operands") {
  KernelTestState restore;
  const Tensor a = tg::ones({7, 13}), b = tg::ones({13, 3});
  tg::testing::dnnl_fail_next_primitive_creation();
  CHECK_ERROR(tg::matmul(a, b), "matmul: oneDNN failed (status unimplemented, ");
  tg::testing::dnnl_fail_next_primitive_creation();
  CHECK_ERROR(tg::matmul(tg::ones({7, 17}), tg::ones({17, 3})), "') for a [7, 17] b [17, 3]");
}

TEST_CASE("op sweep reports an op that throws a non-tg exception as that op's failure and checks its other samples") {
  tg::OpTableEntry entry;
  entry.name = "throws_on_three";
  entry.fn = [](const std::vector<Tensor>& x) -> Tensor {
    if (x[0].numel() == 3) throw std::runtime_error("library failure");
    return x[0] * 2.0;
  };
  entry.samples = [](tg::Generator& g) -> std::vector<tg::OpSample> {
    return {{"[3]", {tg::sample_normal(g, {3})}}, {"[2, 2]", {tg::sample_normal(g, {2, 2})}}};
  };
  tg::OpSweepResult result;
  CHECK_NOTHROW(result = tg::sweep_op(entry, {}));
  CHECK(result.wrong());
  REQUIRE(result.errors.size() == 1);
  CHECK(result.errors[0] == "[3]: library failure");
  REQUIRE(result.failures.size() == 1);
  CHECK(result.failures[0].what == "threw an exception that is not a tg::Error: library failure");
  CHECK(result.f32_samples == 1);  // the [2, 2] sample was still compared
  CHECK(result.verdict == tg::Verdict::good);
}
