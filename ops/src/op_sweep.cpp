#include "tapegrad/ops/op_sweep.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>

#include <fmt/format.h>

#include "tapegrad/autograd.hpp"
#include "tapegrad/error.hpp"
#include "tapegrad/random.hpp"

namespace tg {

namespace {

using OpFn = std::function<Tensor(const std::vector<Tensor>&)>;

std::vector<Tensor> as_f32(const std::vector<Tensor>& xs) {
  std::vector<Tensor> out;
  out.reserve(xs.size());
  for (const auto& x : xs) out.push_back(x.dtype() == f64 ? x.to(f32) : x);
  return out;
}

// max_i |got_i - ref_i| / (1 + |ref_i|); infinite when the result is not an f32
// tensor of the reference's shape, or holds NaN where the reference does not.
double f32_difference(const Tensor& ref, const Tensor& got) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  if (got.dtype() != f32 || got.shape() != ref.shape()) return inf;
  const auto r = ref.to_vector<double>();
  const auto g = got.to_vector<double>();
  double worst = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    // Equal infinities, or NaN in both (e.g. the mean of no elements), agree.
    if (g[i] == r[i] || (std::isnan(r[i]) && std::isnan(g[i]))) continue;
    const double d = std::abs(g[i] - r[i]) / (1 + std::abs(r[i]));
    worst = std::isnan(d) ? inf : std::max(worst, d);
  }
  return worst;
}

std::string describe_f32_mismatch(const Tensor& ref, const Tensor& got, double diff) {
  if (got.dtype() != f32) return fmt::format("f32 inputs gave a {} result", dtype_name(got.dtype()));
  if (got.shape() != ref.shape())
    return fmt::format("f32 result has shape {}, f64 result {}", got.shape().str(), ref.shape().str());
  return fmt::format("f32 result differs from f64: max |f32 - f64| / (1 + |f64|) = {:.3g}", diff);
}

// Evaluates fn on the sample in f64 and on its f32 conversion, and records how far
// apart they are.
void compare_f32(const OpFn& fn, const OpSample& sample, double tolerance, OpSweepResult& result) {
  NoGradGuard no_grad;
  const Tensor ref = fn(sample.inputs);
  const Tensor got = fn(as_f32(sample.inputs));
  const double diff = f32_difference(ref, got);
  ++result.f32_samples;
  result.f32_max_diff = std::max(result.f32_max_diff, diff);
  if (!(diff <= tolerance)) {
    result.f32_ok = false;
    result.failures.push_back({sample.label, describe_f32_mismatch(ref, got, diff)});
  }
}

// How an exception is reported: a tg::Error is a checked refusal; anything else (say a
// std::bad_alloc or an exception from a library) escaped the op's checks.
std::string describe_exception(const std::exception& e) {
  if (dynamic_cast<const Error*>(&e) != nullptr) return fmt::format("threw tg::Error: {}", e.what());
  return fmt::format("threw an exception that is not a tg::Error: {}", e.what());
}

// An op that throws on its own sample inputs is broken: report it, keep sweeping.
void record_error(const OpSample& sample, const std::exception& e, OpSweepResult& result) {
  result.errors.push_back(fmt::format("{}: {}", sample.label, e.what()));
  result.failures.push_back({sample.label, describe_exception(e)});
}

// A sample the op must refuse: it throws tg::Error naming the problem, in f64 and f32.
void check_refused(const OpFn& fn, const OpSample& sample, OpSweepResult& result) {
  for (bool f32_inputs : {false, true}) {
    std::string outcome = "returned a result";
    try {
      fn(f32_inputs ? as_f32(sample.inputs) : sample.inputs);
    } catch (const Error& e) {
      if (std::string(e.what()).find(sample.refused_with) != std::string::npos) continue;
      outcome = describe_exception(e);
    } catch (const std::exception& e) {
      outcome = describe_exception(e);
    }
    result.errors.push_back(fmt::format("{}: {}", sample.label, outcome));
    result.failures.push_back({sample.label, fmt::format("expected a tg::Error containing '{}' ({}), but it {}",
                                                         sample.refused_with, f32_inputs ? "f32" : "f64", outcome)});
  }
  ++result.f32_samples;
}

}  // namespace

OpSweepResult sweep_op(const OpTableEntry& entry, const OpSweepOptions& options) {
  OpSweepResult result;
  result.name = entry.name;
  result.gradgrad_run = options.gradgrad && entry.second_order;

  GradcheckOptions check;
  check.eps = options.eps;
  check.seed = options.seed;
  check.has_kinks = entry.has_kinks;
  // An input that only selects (OpTableEntry::allow_unused) has no gradient and zero
  // finite differences. One the tape misses while the output does change with it still
  // fails, as WRONG elements.
  check.allow_unused = entry.allow_unused;

  const double f32_tolerance = options.f32_tolerance > 0 ? options.f32_tolerance : entry.f32_tolerance;
  const auto start = std::chrono::steady_clock::now();
  Generator gen(options.seed);
  const std::vector<OpSample> samples = entry.samples(gen);
  result.samples = static_cast<int>(samples.size());

  for (const auto& sample : samples) {
    const OpFn fn = sample.bind(entry.fn);
    if (!sample.refused_with.empty()) {
      check_refused(fn, sample, result);
      continue;
    }
    try {
      const GradcheckReport report = gradcheck(fn, sample.inputs, check);
      result.verdict = std::max(result.verdict, report.verdict);
      result.max_rel_error = std::max(result.max_rel_error, report.max_rel_error);
      if (!report.passed()) result.failures.push_back({sample.label, "gradcheck\n" + report.table()});

      if (result.gradgrad_run) {
        const GradcheckReport second = gradgradcheck(fn, sample.inputs, check);
        result.gradgrad_verdict = std::max(result.gradgrad_verdict, second.verdict);
        result.gradgrad_max_rel_error = std::max(result.gradgrad_max_rel_error, second.max_rel_error);
        if (!second.passed()) result.failures.push_back({sample.label, "gradgradcheck\n" + second.table()});
      }

      compare_f32(fn, sample, f32_tolerance, result);
    } catch (const std::exception& e) {
      record_error(sample, e, result);
    }
  }
  // Inputs big enough for the f32 path to run on oneDNN instead of the small-size loops.
  if (entry.large_samples) {
    for (const auto& sample : entry.large_samples(gen)) {
      if (!sample.refused_with.empty()) {
        check_refused(sample.bind(entry.fn), sample, result);
        continue;
      }
      try {
        compare_f32(sample.bind(entry.fn), sample, f32_tolerance, result);
      } catch (const std::exception& e) {
        record_error(sample, e, result);
      }
    }
  }
  result.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace tg
