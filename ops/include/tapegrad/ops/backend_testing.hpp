#pragma once
// Hooks for tests of the oneDNN kernels; not for use in programs. Both act on the
// calling thread only.
#include <cstdint>

namespace tg::testing {
// Bounds the primitive cache (default 1024 entries, at least 4), evicting the least
// recently used entries beyond the new bound.
void set_dnnl_primitive_cache_capacity(std::int64_t capacity);
// fail = true: the next primitive creation throws dnnl::error (status unimplemented), as
// oneDNN does for a configuration it cannot run; the op reports it as tg::Error.
// fail = false: cancels a failure not yet triggered.
void dnnl_fail_next_primitive_creation(bool fail = true);
}  // namespace tg::testing
