// tg::Profiler: per-op rows for forward and backward, nested scopes counted once (self
// time), rows adding up to the wall time, per-step figures, and its errors.
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <thread>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

namespace {

const tg::ProfileRow* find_row(const tg::ProfileReport& report, const std::string& name) {
  for (const auto& row : report.rows)
    if (row.name == name) return &row;
  return nullptr;
}

void busy_for(std::chrono::microseconds d) {
  const auto end = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < end) {
  }
}

}  // namespace

TEST_CASE("tg::Profiler records each op forward and backward by name, with calls per step") {
  tg::Tensor w = tg::randn({64, 32}).requires_grad_();
  const tg::Tensor x = tg::randn({16, 32});
  tg::Profiler profiler;
  for (int i = 0; i < 3; ++i) {
    tg::sum(tg::relu(tg::linear(x, w))).backward();
    profiler.step();
  }
  const tg::ProfileReport report = profiler.stop();
  CHECK(report.steps == 3);
  for (const char* name : {"linear", "relu", "sum", "linear backward", "relu backward", "sum backward"}) {
    CAPTURE(name);
    const tg::ProfileRow* row = find_row(report, name);
    REQUIRE(row != nullptr);
    CHECK(row->calls == 3);
    CHECK(row->self_seconds >= 0);
    CHECK(row->total_seconds >= row->self_seconds);
  }
  CHECK(report.rows.back().name == "outside any op");
  double sum = 0;
  for (const auto& row : report.rows) sum += row.self_seconds;
  CHECK(sum == doctest::Approx(report.wall_seconds).epsilon(1e-9));
  const std::string table = report.table();
  CHECK(table.find("ms/step") != std::string::npos);
  CHECK(table.find("relu backward") != std::string::npos);
  CHECK(report.to_json().find("\"name\": \"linear backward\", \"calls\": 3") != std::string::npos);
}

TEST_CASE("tg::Profiler: a nested scope's time is the inner row's, not the outer row's self time") {
  tg::Profiler profiler;
  {
    tg::ProfileScope outer("outer part");
    busy_for(std::chrono::microseconds(3000));
    tg::ProfileScope inner("inner part", "of it");
    busy_for(std::chrono::microseconds(6000));
  }
  const tg::ProfileReport report = profiler.stop();
  const tg::ProfileRow* outer = find_row(report, "outer part");
  const tg::ProfileRow* inner = find_row(report, "inner part of it");
  REQUIRE(outer != nullptr);
  REQUIRE(inner != nullptr);
  // Busy waits are at least as long as asked (a loaded machine only lengthens them).
  CHECK(inner->self_seconds >= 0.006);
  CHECK(outer->self_seconds >= 0.003);
  // The outer scope's time is its own plus exactly the inner one's.
  CHECK(outer->total_seconds - outer->self_seconds == doctest::Approx(inner->total_seconds).epsilon(1e-9));
  CHECK(inner->total_seconds == inner->self_seconds);
  for (std::size_t i = 1; i < report.rows.size() - 1; ++i)  // by self time, largest first
    CHECK(report.rows[i - 1].self_seconds >= report.rows[i].self_seconds);
}

TEST_CASE("tg::Profiler records nothing when not running, and its misuse is an error") {
  {
    tg::ProfileScope ignored("never recorded");
  }
  tg::Profiler profiler;
  CHECK_ERROR(tg::Profiler(), "a Profiler is already running on this thread");
  const tg::ProfileReport report = profiler.stop();
  CHECK(find_row(report, "never recorded") == nullptr);
  CHECK_ERROR(profiler.stop(), "already stopped");
  tg::Profiler again;  // a stopped Profiler frees the thread for the next
  CHECK(again.stop().steps == 0);
}
