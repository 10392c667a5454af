#pragma once
// The op-table entry of a one-input elementwise op (see tapegrad/ops/op_table.hpp):
// small shapes, a scalar, a transposed view and an empty tensor for gradcheck, and
// 76800 elements (above every oneDNN eltwise threshold) for the f32-vs-f64 comparison.
#include "tapegrad/ops/op_table.hpp"

namespace tg::ops {

using SampleMaker = Tensor (*)(Generator&, const Shape&);

inline std::vector<OpSample> elementwise_samples(Generator& g, SampleMaker make) {
  return {{"[5]", {make(g, Shape{5})}},
          {"[3, 4]", {make(g, Shape{3, 4})}},
          {"scalar []", {make(g, Shape{})}},
          {"[1, 7]", {make(g, Shape{1, 7})}},
          {"[2, 3, 2] transposed view", {make(g, Shape{2, 2, 3})}, {0}},
          {"empty [0, 3]", {make(g, Shape{0, 3})}},
          {"empty [3, 0] transposed view", {make(g, Shape{0, 3})}, {0}}};
}

// large: whether the op has a oneDNN path for the large samples to compare.
template <Tensor (*Fn)(const Tensor&)>
OpTableEntry elementwise_entry(const char* name, SampleMaker make, bool kinks = false, bool large = true) {
  OpTableEntry e;
  e.name = name;
  e.fn = [](const std::vector<Tensor>& x) { return Fn(x[0]); };
  e.samples = [make](Generator& g) { return elementwise_samples(g, make); };
  if (large) {
    e.large_samples = [make](Generator& g) -> std::vector<OpSample> {
      return {{"[300, 256]", {make(g, Shape{300, 256})}},
              {"[256, 300] transposed view", {make(g, Shape{300, 256})}, {0}},
              {"empty [0, 256]", {make(g, Shape{0, 256})}}};
    };
  }
  e.has_kinks = kinks;
  return e;
}

}  // namespace tg::ops
