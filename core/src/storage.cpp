#include "tapegrad/storage.hpp"

#include <cstdlib>
#include <new>

#include "tapegrad/error.hpp"
#include "tapegrad/memory_pool.hpp"

namespace tg {

std::shared_ptr<Storage> Storage::allocate(std::size_t nbytes) {
  void* data = nullptr;
  try {
    data = pool::allocate(nbytes);
  } catch (const std::bad_alloc&) {
    fail("storage: cannot allocate {} bytes", nbytes);
  }
  return std::allocate_shared<Storage>(pool::Allocator<Storage>{}, Private{}, data, nbytes);
}

Storage::~Storage() { pool::deallocate(data_, nbytes_); }

}  // namespace tg
