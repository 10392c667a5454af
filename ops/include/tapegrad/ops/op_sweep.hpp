#pragma once
// Checks one op-table entry on all its samples: gradcheck (and optionally
// gradgradcheck) in f64, and its f32 result against its f64 result (also on the
// entry's large samples, which run the oneDNN paths). The test suite and
// `tapegrad gradcheck` both run it; this file only computes the results.
#include <cstdint>
#include <string>
#include <vector>

#include "tapegrad/gradcheck.hpp"
#include "tapegrad/ops/op_table.hpp"

namespace tg {

struct OpSweepOptions {
  double eps = 1e-6;
  std::uint64_t seed = 0;
  bool gradgrad = false;
  // An f32 result agrees when max |f32 - f64| / (1 + |f64|) stays below this;
  // 0 means the entry's own f32_tolerance.
  double f32_tolerance = 0;
};

struct SampleFailure {
  std::string label;
  std::string what;  // the gradcheck table, an f32 mismatch, or an exception message
};

struct OpSweepResult {
  std::string name;
  int samples = 0;
  Verdict verdict = Verdict::good;  // worst over samples (gradcheck only)
  double max_rel_error = 0;
  bool gradgrad_run = false;
  Verdict gradgrad_verdict = Verdict::good;
  double gradgrad_max_rel_error = 0;
  int f32_samples = 0;      // samples plus the entry's large samples (oneDNN paths)
  double f32_max_diff = 0;  // worst max |f32 - f64| / (1 + |f64|) over them
  bool f32_ok = true;
  double ms = 0;
  std::vector<std::string> errors;  // exceptions thrown while checking (the op is wrong)
  std::vector<SampleFailure> failures;

  // Wrong gradient (first or second order), f32 disagreement, or an exception.
  bool wrong() const {
    return verdict >= Verdict::wrong || (gradgrad_run && gradgrad_verdict >= Verdict::wrong) || !f32_ok ||
           !errors.empty();
  }
  bool suspicious() const {
    return verdict == Verdict::suspicious || (gradgrad_run && gradgrad_verdict == Verdict::suspicious);
  }
};

OpSweepResult sweep_op(const OpTableEntry& entry, const OpSweepOptions& options);

}  // namespace tg
