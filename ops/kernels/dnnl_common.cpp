// The engine, streams, memory descriptors and primitive cache shared by every oneDNN kernel.
#include "kernels/dnnl_common.hpp"
#include "tapegrad/ops/backend_stats.hpp"
#include "tapegrad/parallel.hpp"

#include <omp.h>

#include <cstring>
#include <string>
#include <unordered_map>

namespace tg::kernels {

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

}  // namespace tg::kernels

namespace tg {
std::int64_t dnnl_primitives_created() { return kernels::primitives_created(); }
}  // namespace tg

