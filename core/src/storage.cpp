#include "tapegrad/storage.hpp"

#include <cstdlib>
#include <new>

#include "tapegrad/error.hpp"

namespace tg {

std::shared_ptr<Storage> Storage::allocate(std::size_t nbytes) {
  // aligned_alloc needs a size that is a multiple of the alignment.
  const std::size_t padded = (std::max<std::size_t>(nbytes, 1) + kAlignment - 1) / kAlignment * kAlignment;
  void* data = std::aligned_alloc(kAlignment, padded);
  if (!data) fail("storage: cannot allocate {} bytes", nbytes);
  return std::make_shared<Storage>(Private{}, data, nbytes);
}

Storage::~Storage() { std::free(data_); }

}  // namespace tg
