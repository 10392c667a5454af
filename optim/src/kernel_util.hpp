#pragma once
// Shared by the update kernels: argument checks.
#include <cstddef>
#include <initializer_list>

#include "tapegrad/error.hpp"

namespace tg::optim::detail {

// Every array of a kernel has the parameter's length n.
inline void check_lengths(const char* kernel, std::size_t n, std::initializer_list<std::size_t> others) {
  for (std::size_t m : others)
    TG_CHECK(m == n, "{}: arrays of different lengths ({} and {}); each must have one element per parameter",
             kernel, n, m);
}

}  // namespace tg::optim::detail
