// Guards against compiler wrong-code bugs that the build flags work around.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

namespace {

[[gnu::noinline]] std::int64_t last_of(const std::vector<std::int64_t>& v) { return v.back(); }

}  // namespace

TEST_CASE("the build avoids GCC 12's AVX-512 SLP miscompile of {a, a, a, b} literals") {
  // With -march=native on AVX-512 and without -fno-tree-slp-vectorize this holds {1, 1, 1, 1}.
  CHECK(last_of(std::vector<std::int64_t>{1, 1, 1, 0}) == 0);
  CHECK(last_of(std::vector<std::int64_t>{7, 7, 7, 3}) == 3);
}
