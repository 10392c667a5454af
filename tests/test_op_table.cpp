// The op-table sweep: every registered op, on every sample input, passes gradcheck
// and gradgradcheck in f64, and its f32 (oneDNN) result matches its f64 result.
#include <doctest/doctest.h>

#include <cmath>
#include <tapegrad/tapegrad.hpp>

namespace {

tg::GradcheckOptions options_for(const tg::OpTableEntry& entry) {
  tg::GradcheckOptions o;
  o.has_kinks = entry.has_kinks;
  return o;
}

std::vector<tg::Tensor> as_f32(const std::vector<tg::Tensor>& xs) {
  std::vector<tg::Tensor> out;
  for (const auto& x : xs) out.push_back(x.dtype() == tg::f64 ? x.to(tg::f32) : x);
  return out;
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

TEST_CASE("every op passes gradcheck in f64") {
  for (const auto& entry : tg::op_table()) {
    tg::Generator gen(42);
    for (const auto& sample : entry.samples(gen)) {
      const auto report = tg::gradcheck(sample.bind(entry.fn), sample.inputs, options_for(entry));
      INFO(entry.name, " on ", sample.label, "\n", report.table());
      CHECK(report.passed());
      // Samples keep away from kinks, so a crossed kink means a bad sample.
      CHECK(report.verdict != tg::Verdict::kink_crossed);
    }
  }
}

TEST_CASE("every op passes gradgradcheck in f64") {
  for (const auto& entry : tg::op_table()) {
    if (!entry.second_order) continue;
    tg::Generator gen(7);
    for (const auto& sample : entry.samples(gen)) {
      auto opts = options_for(entry);
      opts.max_coords_per_input = 24;
      const auto report = tg::gradgradcheck(sample.bind(entry.fn), sample.inputs, opts);
      INFO(entry.name, " on ", sample.label, "\n", report.table());
      CHECK(report.passed());
    }
  }
}

TEST_CASE("every op's f32 result matches its f64 reference, small (loops) and large (oneDNN)") {
  for (const auto& entry : tg::op_table()) {
    tg::Generator gen(3);
    std::vector<tg::OpSample> samples = entry.samples(gen);
    if (entry.large_samples)
      for (auto& s : entry.large_samples(gen)) samples.push_back(std::move(s));
    for (const auto& sample : samples) {
      const auto fn = sample.bind(entry.fn);
      const tg::Tensor ref = fn(sample.inputs);
      const tg::Tensor got = fn(as_f32(sample.inputs));
      INFO(entry.name, " on ", sample.label);
      REQUIRE(got.dtype() == tg::f32);
      REQUIRE(got.shape() == ref.shape());
      const auto r = ref.to_vector<double>();
      const auto g = got.to_vector<double>();
      double worst = 0;
      for (std::size_t i = 0; i < r.size(); ++i) worst = std::max(worst, std::abs(r[i] - g[i]) / (1 + std::abs(r[i])));
      CHECK(worst <= 2e-5);
    }
  }
}
