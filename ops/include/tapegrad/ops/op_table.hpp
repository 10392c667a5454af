#pragma once
// The op table: one entry per differentiable op, registered from the op's own file.
// The test suite and `tapegrad gradcheck` sweep it: every entry is gradchecked in f64
// on its sample inputs, and its f32 result is compared with its f64 result.
#include <functional>
#include <string>
#include <vector>

#include "tapegrad/random.hpp"
#include "tapegrad/tensor.hpp"

namespace tg {

struct OpSample {
  std::string label;           // e.g. "broadcast [3,1] x [4]"
  std::vector<Tensor> inputs;  // f64; integer inputs are passed through unchecked
  // Inputs the op receives as a transposed (non-contiguous) view of the stored data:
  // the op sees transpose(inputs[i], -1, -2). Tests strided kernels under gradcheck.
  std::vector<int> transposed = {};
  // Non-empty: the op refuses these inputs (e.g. a max over an empty dim) with a
  // tg::Error whose message contains this text; the sweep checks that it does.
  std::string refused_with = {};
  // The function gradcheck sees: the entry's fn with the transposed views applied.
  std::function<Tensor(const std::vector<Tensor>&)> bind(const std::function<Tensor(const std::vector<Tensor>&)>& fn) const;
};

// Every entry's samples include inputs with a size-0 dim (and its large samples one
// whose non-empty form would run on oneDNN): such an op must give an empty (or, for a
// reduction over the empty dim, a well-defined) result and gradient, or refuse.
struct OpTableEntry {
  std::string name;
  std::function<Tensor(const std::vector<Tensor>&)> fn;
  std::function<std::vector<OpSample>(Generator&)> samples;
  bool has_kinks = false;  // not differentiable everywhere (relu, abs, max, ...)
  bool random = false;     // draws from the random stream (gradcheck replays it)
  bool second_order = true;  // include in the gradgradcheck sweep
  // An input only selects and gets no gradient (max_pool2d_backward's input says where
  // the maxima are): gradcheck's `unused` verdict is expected for it, not a failure.
  bool allow_unused = false;
  // f32 agrees with f64 when max |f32 - f64| / (1 + |f64|) is below this; ops that
  // sum thousands of terms (matmul, reductions) round more and set it higher.
  double f32_tolerance = 1e-5;
  // Inputs big enough for the f32 path to run on oneDNN rather than the small-size
  // loop; used only by the f32-vs-f64 comparison (too big to gradcheck cheaply).
  std::function<std::vector<OpSample>(Generator&)> large_samples = {};
};

// True when some input of the sample has no elements.
bool has_empty_input(const OpSample& sample);

const std::vector<OpTableEntry>& op_table();
const OpTableEntry& find_op(const std::string& name);

// Registers an entry at load time; each op file holds one of these per op.
struct OpRegistration {
  explicit OpRegistration(OpTableEntry entry);
};

// Sample helpers: f64 normal values, and values kept away from zero (for log, sqrt,
// division and kinks at 0).
Tensor sample_normal(Generator& gen, const Shape& shape);
Tensor sample_positive(Generator& gen, const Shape& shape, double low = 0.5, double high = 2.0);
Tensor sample_away_from_zero(Generator& gen, const Shape& shape, double min_abs = 0.1);
// x (f64, contiguous) with each value moved up in steps of margin until it is at least
// margin away from every point: keeps samples off an op's kinks.
Tensor keep_away_from(Tensor x, const std::vector<double>& points, double margin);


}  // namespace tg
