#include "backend/dnnl_backend.hpp"
#include "backend/dnnl_common.hpp"
#include "tapegrad/ops/backend_stats.hpp"
#include "tapegrad/parallel.hpp"

#include <omp.h>

#include <cstring>
#include <functional>
#include <string>
#include <unordered_map>

namespace tg::backend {

namespace {
thread_local std::int64_t created = 0;
}  // namespace

void count_created() { ++created; }

dnnl::engine& cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpu_stream() {
  thread_local dnnl::stream stream(cpu_engine());
  return stream;
}

Tensor addressable(const Tensor& t) {
  for (int i = 0; i < t.dim(); ++i)
    if (t.shape()[i] > 1 && t.strides()[i] <= 0) return t.contiguous();
  return t;
}

dnnl::memory::desc describe(const Tensor& t, int rank) {
  using Dims = dnnl::memory::dims;
  Dims dims(static_cast<std::size_t>(std::max(rank, 1)), 1), strides(dims.size(), 1);
  const int pad = static_cast<int>(dims.size()) - t.dim();
  for (int i = 0; i < t.dim(); ++i) dims[static_cast<std::size_t>(pad + i)] = t.shape()[i];
  std::int64_t running = 1;
  for (int i = static_cast<int>(dims.size()) - 1; i >= 0; --i) {
    const int j = i - pad;
    strides[static_cast<std::size_t>(i)] = (j >= 0 && dims[static_cast<std::size_t>(i)] > 1) ? t.strides()[j] : running;
    running = std::max<std::int64_t>(running, strides[static_cast<std::size_t>(i)] * dims[static_cast<std::size_t>(i)]);
  }
  return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, strides);
}

dnnl::memory memory_of(const dnnl::memory::desc& desc, const Tensor& t) {
  return dnnl::memory(desc, cpu_engine(), t.raw_data());
}

Key::Key(char tag) {
  bytes_.push_back(tag);
  // Every oneDNN call starts here: the place to follow the load (tapegrad/parallel.hpp).
  adapt_num_threads();
  add(omp_get_max_threads());
}

Key& Key::add(const dnnl::memory::desc& d) {
  const auto& c = d.data;
  add(c.ndims);
  for (int i = 0; i < c.ndims; ++i) add(c.dims[i]).add(c.format_desc.blocking.strides[i]);
  return *this;
}

std::int64_t primitives_created() { return created; }

}  // namespace tg::backend

namespace tg {
std::int64_t dnnl_primitives_created() { return backend::primitives_created(); }
}  // namespace tg

namespace tg::backend {

void eltwise_f32(dnnl::algorithm alg, float alpha, float beta, const Tensor& x_in, const Tensor& out) {
  if (out.numel() == 0) return;
  // oneDNN 2.x eltwise reads and writes one layout; out is contiguous, so x must be.
  const Tensor x = x_in.is_contiguous() ? x_in : x_in.contiguous();
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
}

void binary_f32(dnnl::algorithm alg, const Tensor& a_in, const Tensor& b_in, const Tensor& out) {
  if (out.numel() == 0) return;
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
}

void matmul_f32(const Tensor& a_in, const Tensor& b_in, const Tensor& out) {
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
}

void reduction_f32(dnnl::algorithm alg, const Tensor& x_in, const Tensor& out) {
  if (out.numel() == 0) return;
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
}

}  // namespace tg::backend
