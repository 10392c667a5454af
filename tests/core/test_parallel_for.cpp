#include <doctest/doctest.h>

#include <atomic>
#include <vector>

#include "tapegrad/parallel.hpp"
#include "tapegrad/parallel_for.hpp"

TEST_CASE("parallel_for covers every item exactly once, on 1 and 2 threads") {
  tg::ThreadSettingGuard restore;
  for (int threads : {1, 2}) {
    tg::set_num_threads(threads);
    for (std::int64_t n : {std::int64_t{0}, std::int64_t{1}, std::int64_t{17}, std::int64_t{100003}}) {
      std::vector<std::atomic<int>> seen(static_cast<std::size_t>(n));
      tg::parallel_for(n, 1000, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) seen[static_cast<std::size_t>(i)]++;
      });
      for (const auto& s : seen) CHECK(s.load() == 1);
    }
  }
}

TEST_CASE("parallel_for stays on the calling thread below the grain") {
  tg::ThreadSettingGuard restore;
  tg::set_num_threads(2);
  CHECK(tg::parallel_threads(1999, 1000) == 1);
  CHECK(tg::parallel_threads(2000, 1000) == 2);
  int calls = 0;
  tg::parallel_for(1999, 1000, [&](std::int64_t begin, std::int64_t end) {
    ++calls;
    CHECK(begin == 0);
    CHECK(end == 1999);
  });
  CHECK(calls == 1);
}

TEST_CASE("parallel_sum adds the chunks and gives the same total on 1 and 2 threads") {
  tg::ThreadSettingGuard restore;
  auto sum = [](int threads) {
    tg::set_num_threads(threads);
    return tg::parallel_sum<std::int64_t>(100000, 10, [](std::int64_t begin, std::int64_t end) {
      std::int64_t s = 0;
      for (std::int64_t i = begin; i < end; ++i) s += i;
      return s;
    });
  };
  CHECK(sum(1) == std::int64_t{100000} * 99999 / 2);
  CHECK(sum(2) == std::int64_t{100000} * 99999 / 2);
}
