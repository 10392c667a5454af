// matmul on oneDNN's matmul primitive (f32), strided operands, batch dims broadcast by the caller.
#include "kernels/dnnl_common.hpp"
#include "kernels/matmul.hpp"

namespace tg::kernels {

void matmul_f32(const Tensor& a_in, const Tensor& b_in, const Tensor& out) {
  run_dnnl("matmul", {{"a", a_in}, {"b", b_in}}, [&] {
    if (out.numel() == 0) return;
    // An empty inner dimension: every entry is an empty sum. oneDNN divides by K when
    // it blocks the product (SIGFPE), so it never sees K = 0.
    if (a_in.size(-1) == 0) {
      Tensor(out).zero_();  // a handle to the same storage
      return;
    }
    const Tensor a = addressable(a_in), b = addressable(b_in);
    const int rank = out.dim();
    const auto src = describe(a, rank), weights = describe(b, rank), dst = describe(out, rank);
    Key key('m');
    key.add(src).add(weights).add(dst);
    auto& prim = cached<dnnl::matmul>(key, [&] {
      dnnl::matmul::desc d(src, weights, dst);
      return dnnl::matmul(dnnl::matmul::primitive_desc(d, cpu_engine()));
    });
    prim.execute(cpu_stream(), {{DNNL_ARG_SRC, memory_of(src, a)},
                                {DNNL_ARG_WEIGHTS, memory_of(weights, b)},
                                {DNNL_ARG_DST, memory_of(dst, out)}});
    cpu_stream().wait();
  });
}

}  // namespace tg::kernels
