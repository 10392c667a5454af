#include "tapegrad/nn/cross_process.hpp"

#include "tapegrad/autograd.hpp"
#include "tapegrad/error.hpp"
#include "tapegrad/record_node.hpp"

namespace tg::nn {

namespace {

// y = sum_p t_p on every process; with L = sum_p L_p, dL/dt_p = sum_q dL_q/dy_q: the
// adjoint of an all-reduce sum is an all-reduce sum (recorded again under create_graph).
class SumAcrossProcessesNode final : public Node {
 public:
  explicit SumAcrossProcessesNode(std::shared_ptr<SumAcrossProcesses> reducer) : reducer_(std::move(reducer)) {}
  const char* name() const override { return "sum_across_processes"; }
  TensorList apply(TensorList&& grads) override {
    TensorList out;
    out.push_back(sum_across_processes(grads[0], reducer_));
    return out;
  }

 private:
  std::shared_ptr<SumAcrossProcesses> reducer_;
};

}  // namespace

Tensor sum_across_processes(const Tensor& t, const std::shared_ptr<SumAcrossProcesses>& reducer) {
  TG_CHECK(reducer != nullptr, "sum_across_processes: the reducer is null");
  TG_CHECK(t.defined(), "sum_across_processes: the tensor is undefined");
  TG_CHECK(t.dtype() == f32 || t.dtype() == f64, "sum_across_processes: expected an f32 or f64 tensor, got {} {}",
           dtype_name(t.dtype()), t.shape().str());
  Tensor out;
  {
    NoGradGuard no_grad;
    out = t.detach().clone();
  }
  reducer->all_reduce_sum(out);
  TG_CHECK(out.defined() && out.shape() == t.shape() && out.dtype() == t.dtype(),
           "sum_across_processes: the reducer changed the tensor's shape or dtype (gave {} {}, expected {} {})",
           out.defined() ? dtype_name(out.dtype()) : "undefined", out.defined() ? out.shape().str() : "",
           dtype_name(t.dtype()), t.shape().str());
  record_node<SumAcrossProcessesNode>(out, {&t}, reducer);
  return out;
}

}  // namespace tg::nn
