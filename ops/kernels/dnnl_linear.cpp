// linear on oneDNN: one matmul primitive with the bias fused into it.
#include <unordered_map>

#include "kernels/dense.hpp"
#include "kernels/dnnl_common.hpp"
#include "kernels/matmul.hpp"

namespace tg::kernels {

using dnnl::memory;
using Tag = memory::format_tag;
constexpr auto kF32 = memory::data_type::f32;

void linear_f32(const Tensor& x_in, const Tensor& weight, const Tensor& bias, const Tensor& out) {
  run_dnnl("linear", {{"input", x_in}, {"weight", weight}, {"bias", bias}}, [&] {
    if (out.numel() == 0) return;
    if (x_in.size(1) == 0) {  // no input features: y = b (oneDNN cannot run with K = 0)
      Tensor y = out;  // a handle to the same storage
      if (bias.defined()) {
        y.copy_(bias.detach());  // broadcast over the rows
      } else {
        y.zero_();
      }
      return;
    }
    const Tensor x = addressable(x_in), w = addressable(weight);
    const Tensor b = bias.defined() ? dense(bias) : Tensor{};
    const std::int64_t K = w.shape()[1], N = w.shape()[0];
    // weight [N, K] read as the matmul's [K, N] operand: the same memory, strides swapped.
    const memory::desc src = describe(x, 2), dst = describe(out, 2);
    const memory::desc weights = describe(make_view(w, {K, N}, {w.strides()[1], w.strides()[0]}, w.offset()), 2);
    const memory::desc bias_desc = memory::desc({1, N}, kF32, Tag::ab);
    Key key('l');
    key.add(src).add(weights).add(dst).add(b.defined() ? 1 : 0);
    auto& prim = cached<dnnl::matmul>(key, [&] {
      const auto desc = b.defined() ? dnnl::matmul::desc(src, weights, bias_desc, dst) : dnnl::matmul::desc(src, weights, dst);
      return dnnl::matmul(dnnl::matmul::primitive_desc(desc, cpu_engine()));
    });
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, memory_of(src, x)},
                                         {DNNL_ARG_WEIGHTS, memory(weights, cpu_engine(), w.raw_data())},
                                         {DNNL_ARG_DST, memory_of(dst, out)}};
    if (b.defined()) args.emplace(DNNL_ARG_BIAS, memory(bias_desc, cpu_engine(), b.raw_data()));
    prim.execute(cpu_stream(), args);
    cpu_stream().wait();
  });
}

}  // namespace tg::kernels
