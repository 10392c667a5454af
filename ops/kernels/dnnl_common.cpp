// The engine, streams, memory descriptors and primitive cache shared by every oneDNN kernel.
#include "kernels/dnnl_common.hpp"
#include "tapegrad/ops/backend_stats.hpp"
#include "tapegrad/ops/backend_testing.hpp"
#include "tapegrad/parallel.hpp"

#include <omp.h>

#include <string>

#include <fmt/format.h>

namespace tg::kernels {

namespace {
thread_local std::int64_t created = 0;
thread_local bool fail_next_creation = false;

const char* status_name(dnnl_status_t s) {
  switch (s) {
    case dnnl_success: return "success";
    case dnnl_out_of_memory: return "out_of_memory";
    case dnnl_invalid_arguments: return "invalid_arguments";
    case dnnl_unimplemented: return "unimplemented";
    case dnnl_iterator_ends: return "iterator_ends";
    case dnnl_runtime_error: return "runtime_error";
    case dnnl_not_required: return "not_required";
  }
  return "unknown";
}
}  // namespace

PrimitiveCache& primitive_cache() {
  thread_local PrimitiveCache cache;
  return cache;
}

void before_creation() {
  if (fail_next_creation) {
    fail_next_creation = false;
    throw dnnl::error(dnnl_unimplemented, "could not create a primitive descriptor (failure forced by a test)");
  }
  ++created;
}

void fail_dnnl(const char* op, const dnnl::error& e, std::initializer_list<Operand> operands) {
  std::string shapes;
  for (const Operand& o : operands) {
    if (!o.tensor.defined()) continue;
    shapes += fmt::format("{}{} {}", shapes.empty() ? "" : " ", o.name, o.tensor.shape().str());
  }
  fail("{}: oneDNN failed (status {}, '{}') for {}", op, status_name(e.status), e.what(), shapes);
}

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
    if (t.shape()[i] > 1 && t.strides()[i] <= 0) return t.detach().contiguous();
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

dnnl::memory::desc nchw(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w) {
  return dnnl::memory::desc({n, c, h, w}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::nchw);
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

}  // namespace tg::kernels

namespace tg {

std::int64_t dnnl_primitives_created() { return kernels::created; }

DnnlCacheStats dnnl_primitive_cache_stats() {
  const kernels::PrimitiveCache& c = kernels::primitive_cache();
  return {c.size(), c.capacity(), c.hits(), c.misses()};
}

namespace testing {
void set_dnnl_primitive_cache_capacity(std::int64_t capacity) { kernels::primitive_cache().set_capacity(capacity); }
void dnnl_fail_next_primitive_creation(bool fail) { kernels::fail_next_creation = fail; }
}  // namespace testing

}  // namespace tg

