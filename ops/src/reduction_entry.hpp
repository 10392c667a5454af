#pragma once
// The op-table entry of a reduction over a [2, 3, 4]-like input, shared by the
// reductions' files: samples of several ranks, a transposed view, and empty inputs the
// op reduces or refuses.
#include <functional>
#include <string>
#include <vector>

#include "tapegrad/ops/op_table.hpp"

namespace tg::ops {

using ReduceFn = std::function<Tensor(const Tensor&)>;
using SampleMaker = Tensor (*)(Generator&, const Shape&);

// An empty input case: its shape, and the error of an op that refuses it (empty: the
// op gives a result).
struct EmptyCase {
  Shape shape;
  std::string refused_with;
};
inline const std::vector<EmptyCase> kEmptyResults = {{{0, 3, 4}, ""}, {{2, 3, 0}, ""}};

inline OpTableEntry reduction_entry(const char* name, ReduceFn fn, SampleMaker make, bool all_axes, bool kinks,
                             std::vector<EmptyCase> empty_cases = kEmptyResults) {
  OpTableEntry e;
  e.name = name;
  e.fn = [fn](const std::vector<Tensor>& x) { return fn(x[0]); };
  e.has_kinks = kinks;
  e.f32_tolerance = 1e-4;
  e.samples = [make, all_axes, empty_cases](Generator& g) -> std::vector<OpSample> {
    std::vector<OpSample> s = {{"[2, 3, 4]", {make(g, {2, 3, 4})}},
                               {"[3, 1, 5]", {make(g, {3, 1, 5})}},
                               {"transposed view [3, 4, 2]", {make(g, {3, 2, 4})}, {0}}};
    if (all_axes) s.push_back({"[7]", {make(g, {7})}});
    for (const auto& c : empty_cases)
      s.push_back({"empty " + c.shape.str(), {make(g, c.shape)}, {}, c.refused_with});
    return s;
  };
  e.large_samples = [make, empty_cases](Generator& g) -> std::vector<OpSample> {
    // The first empty case at a size that would run on oneDNN if it were not empty.
    Shape big = empty_cases.at(0).shape;
    for (auto& d : big) d *= 32;
    return {{"[16, 128, 10]", {make(g, {16, 128, 10})}},
            {"transposed [16, 10, 128]", {make(g, {16, 128, 10})}, {0}},
            {"empty " + big.str(), {make(g, big)}, {}, empty_cases.at(0).refused_with}};
  };
  return e;
}

}  // namespace tg::ops
