// The op-table sweep: every registered op, on every sample input, passes gradcheck
// and gradgradcheck in f64, and its f32 result (small: plain loops; large: oneDNN)
// matches its f64 result. The same sweep backs `tapegrad gradcheck`.
#include <doctest/doctest.h>

#include <tapegrad/ops/op_sweep.hpp>
#include <tapegrad/tapegrad.hpp>

namespace {

std::string failures(const tg::OpSweepResult& r) {
  std::string s;
  for (const auto& f : r.failures) s += f.label + ": " + f.what + "\n";
  return s;
}

}  // namespace

TEST_CASE("op table holds the foundation ops") {
  for (const char* name : {"add", "sub", "mul", "div", "neg", "exp", "log", "sqrt", "pow", "abs", "relu",
                           "tanh", "sigmoid", "matmul", "sum", "mean", "sum_axes", "reshape", "transpose",
                           "slice", "expand"}) {
    CAPTURE(name);
    CHECK_NOTHROW(tg::find_op(name));
  }
}

TEST_CASE("every op passes gradcheck, gradgradcheck and the f32-vs-f64 comparison") {
  tg::OpSweepOptions options;
  options.gradgrad = true;
  for (std::uint64_t seed : {0, 1}) {
    options.seed = seed;
    for (const auto& entry : tg::op_table()) {
      const tg::OpSweepResult r = tg::sweep_op(entry, options);
      INFO(entry.name, " (seed ", seed, ")\n", failures(r));
      CHECK_FALSE(r.wrong());
      CHECK_FALSE(r.suspicious());
      CHECK(r.errors.empty());
      // Samples keep away from kinks, so a crossed kink means a bad sample.
      CHECK(r.verdict != tg::Verdict::kink_crossed);
      CHECK(r.f32_samples > r.samples - 1);
    }
  }
}

TEST_CASE("op table: only max_pool2d_backward, whose input only selects, may leave an input unused") {
  // Every other entry's inputs must all reach the output on the tape: gradcheck's
  // `unused` verdict fails the sweep for them.
  std::vector<std::string> allowed;
  for (const tg::OpTableEntry& entry : tg::op_table())
    if (entry.allow_unused) allowed.push_back(entry.name);
  CHECK(allowed == std::vector<std::string>{"max_pool2d_backward"});
}
