#include "tapegrad/nn/data/permutation.hpp"

#include <numeric>

#include "tapegrad/error.hpp"
#include "tapegrad/random.hpp"

namespace tg::nn::data {

namespace {
// splitmix64 finalizer (Steele, Lea, Flood, "Fast splittable pseudorandom number
// generators", 2014).
std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
}  // namespace

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t index) {
  return mix64(mix64(seed) + 0x9E3779B97F4A7C15ull * (index + 1));
}

std::vector<std::int64_t> random_permutation(std::int64_t n, std::uint64_t seed) {
  TG_CHECK(n >= 0, "random_permutation: n = {}, expected n >= 0", n);
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), std::int64_t{0});
  if (n < 2) return order;
  Generator gen(seed);
  // Two 32-bit words per swap, one Philox block (4 words) per two swaps.
  const std::uint64_t first = gen.reserve(2 * static_cast<std::uint64_t>(n));
  for (std::int64_t i = n - 1; i > 0; --i) {
    const std::uint64_t k = static_cast<std::uint64_t>(n - 1 - i);
    const auto block = gen.block(first + k / 2);
    const std::uint64_t word = (std::uint64_t{block[2 * (k % 2)]} << 32) | block[2 * (k % 2) + 1];
    // Lemire's multiply-shift maps 64 random bits to [0, i] (bias below 2^-40 here).
    const auto j = static_cast<std::int64_t>((static_cast<unsigned __int128>(word) * static_cast<std::uint64_t>(i + 1)) >> 64);
    std::swap(order[i], order[j]);
  }
  return order;
}

}  // namespace tg::nn::data
