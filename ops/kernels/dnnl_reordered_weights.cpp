#include "kernels/dnnl_reordered_weights.hpp"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <vector>

#include "kernels/dnnl_common.hpp"
#include "tapegrad/ops/backend_stats.hpp"
#include "tapegrad/profiler.hpp"

namespace tg::kernels {

namespace {

// A reordered copy of one weight. The storage is held weakly: a dead storage never
// matches (so a new tensor at the same address cannot pick up stale values), and the
// cache does not keep weights alive. In-place writes bump the version; writes through
// raw data pointers must call bump_version() (as for tensors saved by the tape).
struct Entry {
  std::weak_ptr<Storage> storage;
  const void* data = nullptr;
  std::uint64_t version = 0;
  dnnl::memory::desc inner;
  void* buffer = nullptr;
  std::size_t bytes = 0;
  std::uint64_t last_use = 0;
};

// A few entries per thread (a network's conv layers); least recently used evicted.
// Buffers come from malloc, not the per-thread pool, so that the thread-exit
// destructor does not depend on the pool's destruction order.
class Cache {
 public:
  static constexpr std::size_t kCapacity = 16;
  ~Cache() {
    for (Entry& e : entries_) std::free(e.buffer);
  }
  Entry& find_or_add(const Tensor& w, const dnnl::memory::desc& inner, bool& fresh) {
    ++clock_;
    for (Entry& e : entries_) {
      if (e.data != w.raw_data() || e.inner != inner) continue;
      const auto storage = e.storage.lock();
      if (storage.get() != w.storage().get()) continue;
      e.last_use = clock_;
      fresh = e.version == w.version();
      e.version = w.version();
      return e;
    }
    fresh = false;
    Entry& e = slot();
    e.storage = w.storage();
    e.data = w.raw_data();
    e.version = w.version();
    e.inner = inner;
    e.last_use = clock_;
    const std::size_t bytes = inner.get_size();
    if (bytes > e.bytes) {
      std::free(e.buffer);
      e.buffer = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
      TG_CHECK(e.buffer != nullptr, "conv2d: out of memory reordering weights ({} bytes)", bytes);
      e.bytes = bytes;
    }
    return e;
  }
  std::int64_t reorders = 0;

 private:
  Entry& slot() {
    if (entries_.size() < kCapacity) return entries_.emplace_back();
    return *std::min_element(entries_.begin(), entries_.end(),
                             [](const Entry& a, const Entry& b) { return a.last_use < b.last_use; });
  }
  std::vector<Entry> entries_;
  std::uint64_t clock_ = 0;
};

Cache& cache() {
  thread_local Cache c;
  return c;
}

}  // namespace

dnnl::memory reordered_weights(const Tensor& w, const dnnl::memory::desc& user, const dnnl::memory::desc& inner,
                               const dnnl::reorder& reorder) {
  bool fresh = false;
  Entry& e = cache().find_or_add(w, inner, fresh);
  dnnl::memory out(inner, cpu_engine(), e.buffer);
  if (!fresh) {
    dnnl::memory source(user, cpu_engine(), w.raw_data());
    ProfileScope scope("conv weight to oneDNN layout");
    reorder.execute(cpu_stream(), source, out);
    ++cache().reorders;
  }
  return out;
}

std::int64_t weight_reorders_performed() { return cache().reorders; }

}  // namespace tg::kernels

namespace tg {
std::int64_t dnnl_weight_reorders() { return kernels::weight_reorders_performed(); }
}  // namespace tg
