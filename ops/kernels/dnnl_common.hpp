#pragma once
// Shared pieces of every oneDNN wrapper: the engine and per-thread stream, memory
// descriptors of tensors, and the per-thread cache of primitives (or of any object
// built from them: a primitive with its reorders, say) keyed by op, shapes, strides,
// attributes and thread count.
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <string>
#include <unordered_map>

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

void count_created();  // feeds tg::dnnl_primitives_created()

// The object cached under key on this thread, made by make() on first use.
template <class T, class Make>
T& cached(const Key& key, Make&& make) {
  thread_local std::unordered_map<std::string, T> cache;
  auto it = cache.find(key.str());
  if (it == cache.end()) {
    count_created();
    it = cache.emplace(key.str(), make()).first;
  }
  return it->second;
}

}  // namespace tg::kernels
