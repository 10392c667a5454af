// oneDNN's eltwise, binary and reduction primitives behind eltwise.hpp.
#include <cstring>
#include <iterator>

#include "kernels/dense.hpp"
#include "kernels/dnnl_common.hpp"
#include "kernels/eltwise.hpp"

namespace tg::kernels {

namespace {

using A = dnnl::algorithm;

// oneDNN's algorithm of each kernel function and the name errors give it (the op's own
// name where one op maps to the function), in the order of the enums in eltwise.hpp.
struct Spec {
  A alg;
  const char* name;
};
constexpr Spec kEltwise[] = {{A::eltwise_linear, "affine"}, {A::eltwise_exp, "exp"},
                             {A::eltwise_log, "log"},       {A::eltwise_sqrt, "sqrt"},
                             {A::eltwise_pow, "pow"},       {A::eltwise_abs, "abs"},
                             {A::eltwise_relu, "relu"},     {A::eltwise_tanh, "tanh"},
                             {A::eltwise_logistic, "sigmoid"}, {A::eltwise_elu, "elu"},
                             {A::eltwise_gelu_erf, "gelu"}, {A::eltwise_clip, "clamp"},
                             {A::eltwise_square, "square"}, {A::eltwise_gelu_tanh, "gelu"},
                             {A::eltwise_soft_relu, "softplus"}};
// pow has no oneDNN primitive: binary() runs it on the loop.
constexpr Spec kBinary[] = {{A::binary_add, "add"},     {A::binary_sub, "sub"},     {A::binary_mul, "mul"},
                            {A::binary_div, "div"},     {A::binary_max, "maximum"}, {A::binary_min, "minimum"},
                            {A::undef, "pow"}};
constexpr Spec kReduction[] = {{A::reduction_sum, "sum"}, {A::reduction_max, "max"}, {A::reduction_min, "min"}};
static_assert(std::size(kEltwise) == static_cast<std::size_t>(Eltwise::soft_relu) + 1);
static_assert(std::size(kBinary) == static_cast<std::size_t>(Binary::pow) + 1);
static_assert(std::size(kReduction) == static_cast<std::size_t>(Reduction::min) + 1);

const Spec& spec(Eltwise f) { return kEltwise[static_cast<std::size_t>(f)]; }
const Spec& spec(Binary op) { return kBinary[static_cast<std::size_t>(op)]; }
const Spec& spec(Reduction op) { return kReduction[static_cast<std::size_t>(op)]; }

}  // namespace

void eltwise_f32(Eltwise f, float alpha, float beta, const Tensor& x_in, const Tensor& out) {
  run_dnnl(spec(f).name, {{"input", x_in}}, [&] {
    if (out.numel() == 0) return;
    // oneDNN 2.x eltwise reads and writes one layout; out is contiguous, so x must be.
    const Tensor x = dense(x_in);
    const A alg = spec(f).alg;
    const auto src = describe(out, out.dim()), dst = src;
    Key key('e');
    key.add(static_cast<std::int64_t>(alg)).add(src).add(dst);
    std::int64_t ab[2] = {0, 0};
    std::memcpy(&ab[0], &alpha, sizeof alpha);
    std::memcpy(&ab[1], &beta, sizeof beta);
    key.add(ab[0]).add(ab[1]);
    auto& prim = cached<dnnl::eltwise_forward>(key, [&] {
      dnnl::eltwise_forward::desc d(dnnl::prop_kind::forward_inference, alg, src, alpha, beta);
      return dnnl::eltwise_forward(dnnl::eltwise_forward::primitive_desc(d, cpu_engine()));
    });
    prim.execute(cpu_stream(), {{DNNL_ARG_SRC, memory_of(src, x)}, {DNNL_ARG_DST, memory_of(dst, out)}});
    cpu_stream().wait();
  });
}

void binary_f32(Binary op, const Tensor& a_in, const Tensor& b_in, const Tensor& out) {
  run_dnnl(spec(op).name, {{"a", a_in}, {"b", b_in}}, [&] {
    if (out.numel() == 0) return;
    const A alg = spec(op).alg;
    const Tensor a = addressable(a_in), b = dense(b_in);
    const int rank = out.dim();
    const auto src0 = describe(a, rank), src1 = describe(b, rank), dst = describe(out, rank);
    Key key('b');
    key.add(static_cast<std::int64_t>(alg)).add(src0).add(src1).add(dst);
    auto& prim = cached<dnnl::binary>(key, [&] {
      dnnl::binary::desc d(alg, src0, src1, dst);
      return dnnl::binary(dnnl::binary::primitive_desc(d, cpu_engine()));
    });
    prim.execute(cpu_stream(), {{DNNL_ARG_SRC_0, memory_of(src0, a)},
                                {DNNL_ARG_SRC_1, memory_of(src1, b)},
                                {DNNL_ARG_DST, memory_of(dst, out)}});
    cpu_stream().wait();
  });
}

void reduction_f32(Reduction op, const Tensor& x_in, const Tensor& out) {
  run_dnnl(spec(op).name, {{"input", x_in}, {"output", out}}, [&] {
    if (out.numel() == 0) return;
    const A alg = spec(op).alg;
    const Tensor x = addressable(x_in);
    const int rank = x.dim();
    const auto src = describe(x, rank), dst = describe(out, rank);
    Key key('r');
    key.add(static_cast<std::int64_t>(alg)).add(src).add(dst);
    auto& prim = cached<dnnl::reduction>(key, [&] {
      dnnl::reduction::desc d(alg, src, dst, 0.f, 0.f);
      return dnnl::reduction(dnnl::reduction::primitive_desc(d, cpu_engine()));
    });
    prim.execute(cpu_stream(), {{DNNL_ARG_SRC, memory_of(src, x)}, {DNNL_ARG_DST, memory_of(dst, out)}});
    cpu_stream().wait();
  });
}

}  // namespace tg::kernels
