#pragma once
// Seeded random permutations on tapegrad's counter-based Philox streams: the result
// depends only on (n, seed), never on threads or on other draws.
#include <cstdint>
#include <vector>

namespace tg::nn::data {

// A uniformly random permutation of 0..n-1 (Fisher-Yates).
std::vector<std::int64_t> random_permutation(std::int64_t n, std::uint64_t seed);

// An independent seed for sub-stream `index` of `seed` (e.g. epoch e of a loader);
// splitmix64 of the pair, so nearby (seed, index) pairs give unrelated streams.
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t index);

}  // namespace tg::nn::data
