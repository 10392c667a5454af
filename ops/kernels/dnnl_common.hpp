#pragma once
// Shared pieces of every oneDNN kernel: the engine and per-thread stream, memory
// descriptors of tensors, the keys of the primitive cache (primitive_cache.hpp), and
// the translation of oneDNN's errors into tg::Error. Included only by kernels' .cpp files.
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <initializer_list>
#include <string>

#include "kernels/primitive_cache.hpp"
#include "tapegrad/tensor.hpp"

namespace tg::kernels {

dnnl::engine& cpu_engine();
dnnl::stream& cpu_stream();  // one per thread

// t itself when oneDNN can address it (every dim longer than 1 has a positive
// stride); a contiguous copy of broadcast (stride 0) views.
Tensor addressable(const Tensor& t);
// f32 memory descriptor of t seen with `rank` dims (leading 1s added), with t's strides.
dnnl::memory::desc describe(const Tensor& t, int rank);
dnnl::memory memory_of(const dnnl::memory::desc& desc, const Tensor& t);
// f32 [n, c, h, w] in plain NCHW layout.
dnnl::memory::desc nchw(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w);

// Cache key: a tag per op, then every number that shapes the primitive. The thread
// count is always included (oneDNN fixes a primitive's parallelism at creation).
class Key {
 public:
  explicit Key(char tag);
  Key& add(std::int64_t v) {
    bytes_.append(reinterpret_cast<const char*>(&v), sizeof v);
    return *this;
  }
  Key& add(const dnnl::memory::desc& d);
  const std::string& str() const { return bytes_; }

 private:
  std::string bytes_;
};

// Runs before every creation of a cached object: counts it (tg::dnnl_primitives_created)
// and throws the dnnl::error a test asked for (tg::testing::dnnl_fail_next_primitive_creation).
void before_creation();

// The object cached under key on this thread, made by make() when absent.
template <class T, class Make>
T& cached(const Key& key, Make&& make) {
  return primitive_cache().get<T>(key.str(), [&] {
    before_creation();
    return make();
  });
}

// An operand named in error messages: "input [64, 1, 28, 28]". Undefined tensors are left out.
struct Operand {
  const char* name;
  const Tensor& tensor;
};
[[noreturn]] void fail_dnnl(const char* op, const dnnl::error& e, std::initializer_list<Operand> operands);

// Runs body(), which creates and executes oneDNN primitives, turning a dnnl::error into
// a tg::Error that names the op, oneDNN's status and message, and the operands' shapes.
template <class Body>
void run_dnnl(const char* op, std::initializer_list<Operand> operands, Body&& body) {
  try {
    body();
  } catch (const dnnl::error& e) {
    fail_dnnl(op, e, operands);
  }
}

}  // namespace tg::kernels
