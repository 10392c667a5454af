// Reflect, replicate and circular padding: each padded dim is an index_select through
// the positions the padded dim reads (docs/formulas.md, "Padding modes"), so the
// gradient (index_add, whose gradient is index_select again) sums the copies of each
// edge element back, to any order. Constant padding is the Pad op (shape_ops.cpp).
#include <string>

#include "op_pattern.hpp"
#include "tapegrad/ops/indexing.hpp"
#include "tapegrad/ops/op_table.hpp"
#include "tapegrad/ops/shape_ops.hpp"

namespace tg {

namespace {

const char* mode_name(PadMode m) {
  switch (m) {
    case PadMode::constant: return "constant";
    case PadMode::reflect: return "reflect";
    case PadMode::replicate: return "replicate";
    case PadMode::circular: return "circular";
  }
  return "unknown";
}

// The source position of each of the left + n + right positions of a padded dim.
Tensor source_positions(PadMode mode, std::int64_t n, std::int64_t left, std::int64_t right) {
  std::vector<std::int64_t> at;
  at.reserve(static_cast<std::size_t>(left + n + right));
  for (std::int64_t i = -left; i < n + right; ++i) {
    std::int64_t j = i;
    if (mode == PadMode::reflect) {
      j = i < 0 ? -i : (i >= n ? 2 * (n - 1) - i : i);
    } else if (mode == PadMode::replicate) {
      j = i < 0 ? 0 : (i >= n ? n - 1 : i);
    } else {
      j = ((i % n) + n) % n;
    }
    at.push_back(j);
  }
  return from_vector(at, Shape{static_cast<std::int64_t>(at.size())});
}

}  // namespace

Tensor pad(const Tensor& x, const std::vector<std::int64_t>& pads, PadMode mode, double value) {
  if (mode == PadMode::constant) return pad(x, pads, value);
  const char* m = mode_name(mode);
  TG_CHECK(mode == PadMode::reflect || mode == PadMode::replicate || mode == PadMode::circular,
           "pad: mode {} is not constant, reflect, replicate or circular", static_cast<int>(mode));
  TG_CHECK(pads.size() % 2 == 0, "pad: {} has {} entries; expected (left, right) pairs, last dim first",
           Shape(pads).str(), pads.size());
  TG_CHECK(static_cast<int>(pads.size() / 2) <= x.dim(), "pad: {} pads {} dims, but the tensor of shape {} has {}",
           Shape(pads).str(), pads.size() / 2, x.shape().str(), x.dim());
  Tensor out = x;
  for (std::size_t k = 0; k < pads.size() / 2; ++k) {
    const int d = x.dim() - 1 - static_cast<int>(k);
    const std::int64_t left = pads[2 * k], right = pads[2 * k + 1], n = x.size(d);
    TG_CHECK(left >= 0 && right >= 0, "pad: {} padding ({}, {}) of dim {} must not be negative", m, left, right, d);
    if (left == 0 && right == 0) continue;
    TG_CHECK(mode != PadMode::reflect || (left < n && right < n),
             "pad: reflect padding ({}, {}) of dim {} must be smaller than its size {} (shape {})", left, right, d, n,
             x.shape().str());
    TG_CHECK(mode != PadMode::replicate || n > 0, "pad: replicate padding of dim {} needs a non-empty dim (shape {})",
             d, x.shape().str());
    TG_CHECK(mode != PadMode::circular || (left <= n && right <= n),
             "pad: circular padding ({}, {}) of dim {} must be at most its size {} (shape {})", left, right, d, n,
             x.shape().str());
    out = index_select(out, d, source_positions(mode, n, left, right));
  }
  return out;
}

// --- op table entries: one per mode, padding the last two dims of 3-D and 4-D inputs.
namespace {

OpTableEntry mode_entry(std::string name, PadMode mode) {
  OpTableEntry e;
  e.name = std::move(name);
  e.fn = [mode](const std::vector<Tensor>& x) { return pad(x[0], {2, 1, 0, 2}, mode); };
  e.samples = [](Generator& g) -> std::vector<OpSample> {
    return {{"[2, 3, 4]", {sample_normal(g, {2, 3, 4})}},
            {"[1, 2, 3, 5]", {sample_normal(g, {1, 2, 3, 5})}},
            {"transposed view [2, 4, 3]", {sample_normal(g, {2, 3, 4})}, {0}},
            {"empty batch [0, 3, 4]", {sample_normal(g, {0, 3, 4})}}};
  };
  return e;
}

const OpRegistration reg_reflect(mode_entry("pad_reflect", PadMode::reflect));
const OpRegistration reg_replicate(mode_entry("pad_replicate", PadMode::replicate));
const OpRegistration reg_circular(mode_entry("pad_circular", PadMode::circular));

}  // namespace

}  // namespace tg
