#include "kernels/softmax.hpp"

#include "kernels/dnnl_common.hpp"

namespace tg::kernels {

namespace {

dnnl::algorithm softmax_algorithm(bool log) {
  return log ? dnnl::algorithm::softmax_log : dnnl::algorithm::softmax_accurate;
}

dnnl::softmax_v2_forward::primitive_desc forward_pd(const dnnl::memory::desc& data, int axis, bool log) {
  dnnl::softmax_v2_forward::desc d(dnnl::prop_kind::forward_training, softmax_algorithm(log), data, data, axis);
  return dnnl::softmax_v2_forward::primitive_desc(d, cpu_engine());
}

}  // namespace

void softmax_forward_f32(const Tensor& x, const Tensor& y, int axis, bool log) {
  run_dnnl(log ? "log_softmax" : "softmax", {{"input", x}}, [&] {
    if (y.numel() == 0) return;
    const auto data = describe(y, y.dim());
    Key key('s');
    key.add(log).add(axis).add(data);
    auto& prim = cached<dnnl::softmax_v2_forward>(key, [&] { return dnnl::softmax_v2_forward(forward_pd(data, axis, log)); });
    prim.execute(cpu_stream(), {{DNNL_ARG_SRC, memory_of(data, x)}, {DNNL_ARG_DST, memory_of(data, y)}});
    cpu_stream().wait();
  });
}

void softmax_backward_f32(const Tensor& dy, const Tensor& y, const Tensor& dx, int axis, bool log) {
  run_dnnl(log ? "log_softmax_backward" : "softmax_backward", {{"grad_output", dy}, {"output", y}}, [&] {
    if (dx.numel() == 0) return;
    const auto data = describe(dx, dx.dim());
    Key key('S');
    key.add(log).add(axis).add(data);
    auto& prim = cached<dnnl::softmax_v2_backward>(key, [&] {
      dnnl::softmax_v2_backward::desc d(softmax_algorithm(log), data, data, data, axis);
      return dnnl::softmax_v2_backward(dnnl::softmax_v2_backward::primitive_desc(d, cpu_engine(), forward_pd(data, axis, log)));
    });
    prim.execute(cpu_stream(), {{DNNL_ARG_DIFF_DST, memory_of(data, dy)},
                                {DNNL_ARG_DST, memory_of(data, y)},
                                {DNNL_ARG_DIFF_SRC, memory_of(data, dx)}});
    cpu_stream().wait();
  });
}

}  // namespace tg::kernels
