// oneDNN's eltwise, binary and reduction primitives behind eltwise.hpp.
#include <cstring>

#include "kernels/dnnl_common.hpp"
#include "kernels/eltwise.hpp"

namespace tg::kernels {

namespace {

dnnl::algorithm to_dnnl(Eltwise f) {
  using A = dnnl::algorithm;
  switch (f) {
    case Eltwise::linear: return A::eltwise_linear;
    case Eltwise::exp: return A::eltwise_exp;
    case Eltwise::log: return A::eltwise_log;
    case Eltwise::sqrt: return A::eltwise_sqrt;
    case Eltwise::pow: return A::eltwise_pow;
    case Eltwise::abs: return A::eltwise_abs;
    case Eltwise::relu: return A::eltwise_relu;
    case Eltwise::tanh: return A::eltwise_tanh;
    case Eltwise::logistic: return A::eltwise_logistic;
    case Eltwise::elu: return A::eltwise_elu;
    case Eltwise::gelu_erf: return A::eltwise_gelu_erf;
    case Eltwise::clip: return A::eltwise_clip;
    case Eltwise::square: return A::eltwise_square;
  }
  return A::undef;
}

dnnl::algorithm to_dnnl(Binary op) {
  using A = dnnl::algorithm;
  switch (op) {
    case Binary::add: return A::binary_add;
    case Binary::sub: return A::binary_sub;
    case Binary::mul: return A::binary_mul;
    case Binary::div: return A::binary_div;
    case Binary::max: return A::binary_max;
    case Binary::min: return A::binary_min;
    case Binary::pow: break;  // no oneDNN primitive: binary() runs it on the loop
  }
  return A::undef;
}

dnnl::algorithm to_dnnl(Reduction op) {
  using A = dnnl::algorithm;
  switch (op) {
    case Reduction::sum: return A::reduction_sum;
    case Reduction::max: return A::reduction_max;
    case Reduction::min: return A::reduction_min;
  }
  return A::undef;
}

// Names in error messages: the op's own name where one op maps to the function.
const char* name_of(Eltwise f) {
  switch (f) {
    case Eltwise::linear: return "affine";
    case Eltwise::exp: return "exp";
    case Eltwise::log: return "log";
    case Eltwise::sqrt: return "sqrt";
    case Eltwise::pow: return "pow";
    case Eltwise::abs: return "abs";
    case Eltwise::relu: return "relu";
    case Eltwise::tanh: return "tanh";
    case Eltwise::logistic: return "sigmoid";
    case Eltwise::elu: return "elu";
    case Eltwise::gelu_erf: return "gelu";
    case Eltwise::clip: return "clamp";
    case Eltwise::square: return "square";
  }
  return "eltwise";
}

const char* name_of(Binary op) {
  switch (op) {
    case Binary::add: return "add";
    case Binary::sub: return "sub";
    case Binary::mul: return "mul";
    case Binary::div: return "div";
    case Binary::max: return "maximum";
    case Binary::min: return "minimum";
    case Binary::pow: return "pow";
  }
  return "binary";
}

const char* name_of(Reduction op) {
  switch (op) {
    case Reduction::sum: return "sum";
    case Reduction::max: return "max";
    case Reduction::min: return "min";
  }
  return "reduction";
}

}  // namespace

void eltwise_f32(Eltwise f, float alpha, float beta, const Tensor& x_in, const Tensor& out) {
  run_dnnl(name_of(f), {{"input", x_in}}, [&] {
    if (out.numel() == 0) return;
    // oneDNN 2.x eltwise reads and writes one layout; out is contiguous, so x must be.
    const Tensor x = x_in.is_contiguous() ? x_in : x_in.contiguous();
    const dnnl::algorithm alg = to_dnnl(f);
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
  run_dnnl(name_of(op), {{"a", a_in}, {"b", b_in}}, [&] {
    if (out.numel() == 0) return;
    const dnnl::algorithm alg = to_dnnl(op);
    const Tensor a = addressable(a_in), b = b_in.is_contiguous() ? b_in : b_in.contiguous();
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
  run_dnnl(name_of(op), {{"input", x_in}, {"output", out}}, [&] {
    if (out.numel() == 0) return;
    const dnnl::algorithm alg = to_dnnl(op);
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
