#pragma once
#include <cstdint>

namespace tg {
// oneDNN primitives created so far on the calling thread (each is cached per op,
// shapes, strides and attributes; a steady training loop creates none).
std::int64_t dnnl_primitives_created();
}  // namespace tg
