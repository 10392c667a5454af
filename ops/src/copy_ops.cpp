// The op-table entries of the copies core defines (Tensor::clone and contiguous, in
// core/src/tensor_copy.cpp), so the gradcheck sweep covers them too.
#include "tapegrad/ops/op_table.hpp"

namespace tg {

namespace {

OpTableEntry copy_entry(const char* name, std::function<Tensor(const Tensor&)> fn) {
  OpTableEntry e;
  e.name = name;
  e.fn = [fn](const std::vector<Tensor>& x) { return fn(x[0]); };
  e.samples = [](Generator& g) -> std::vector<OpSample> {
    return {{"[3, 4]", {sample_normal(g, {3, 4})}},
            {"transposed view [4, 3]", {sample_normal(g, {3, 4})}, {0}},
            {"empty [0, 3]", {sample_normal(g, {0, 3})}}};
  };
  return e;
}

const OpRegistration reg_clone(copy_entry("clone", [](const Tensor& x) { return x.clone(); }));
const OpRegistration reg_contiguous(copy_entry("contiguous", [](const Tensor& x) { return x.contiguous(); }));

}  // namespace

}  // namespace tg
