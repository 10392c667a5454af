#include "tapegrad/storage.hpp"

#include <cstdlib>
#include <new>

#include "tapegrad/error.hpp"
#include "small_blocks.hpp"
#include "tapegrad/memory_pool.hpp"

namespace tg {

namespace {

// The allocator std::allocate_shared uses for a small Storage: it allocates the block
// of the reference counts and the Storage (T, once rebound) with data_bytes more after
// it, starting at the next multiple of kAlignment, and reports where in *data.
template <class T>
struct WithInlineData {
  using value_type = T;
  static constexpr std::size_t kDataOffset =
      (sizeof(T) + Storage::kAlignment - 1) / Storage::kAlignment * Storage::kAlignment;
  std::size_t data_bytes;
  void** data;

  WithInlineData(std::size_t bytes, void** out) : data_bytes(bytes), data(out) {}
  template <class U>
  WithInlineData(const WithInlineData<U>& other) noexcept : data_bytes(other.data_bytes), data(other.data) {}
  T* allocate(std::size_t n) {
    char* block = static_cast<char*>(small_blocks::allocate(n * kDataOffset + data_bytes));
    *data = block + n * kDataOffset;
    return reinterpret_cast<T*>(block);
  }
  void deallocate(T* p, std::size_t n) noexcept { small_blocks::deallocate(p, n * kDataOffset + data_bytes); }
  template <class U> bool operator==(const WithInlineData<U>& o) const noexcept { return data_bytes == o.data_bytes; }
};

// Buffers up to this size share the Storage's pool block (the block, counts and
// Storage included, stays within the pool's small classes).
constexpr std::size_t kMaxInlineBytes = pool::kMaxPooledBytes / 2;

}  // namespace

std::shared_ptr<Storage> Storage::allocate(std::size_t nbytes) {
  void* data = nullptr;
  try {
    if (nbytes <= kMaxInlineBytes) {
      // allocate_shared allocates (setting data) before it constructs the Storage, which
      // takes data by reference through the argument pack.
      return std::allocate_shared<Storage>(WithInlineData<Storage>(nbytes, &data), Private{}, data, nbytes, false);
    }
    data = pool::allocate(nbytes);
  } catch (const std::bad_alloc&) {
    fail("storage: cannot allocate {} bytes", nbytes);
  }
  try {
    return std::allocate_shared<Storage>(small_blocks::Allocator<Storage>{}, Private{}, data, nbytes);
  } catch (const std::bad_alloc&) {
    pool::deallocate(data, nbytes);
    fail("storage: cannot allocate {} bytes", nbytes);
  }
}

Storage::~Storage() {
  if (owns_data_) pool::deallocate(data_, nbytes_);
}

}  // namespace tg
