#pragma once
// Counter-based random streams (Philox4x32-10). Value i of a draw depends only on
// (seed, offset + i), never on threads or call order within the draw, so masks are
// reproducible across runs and thread counts, and a stream can be replayed by saving
// and restoring (seed, offset) -- which is how gradcheck replays random ops.
#include <array>
#include <cstdint>

namespace tg {

class Generator {
 public:
  explicit Generator(std::uint64_t seed = 0) : seed_(seed) {}

  struct State {
    std::uint64_t seed = 0;
    std::uint64_t offset = 0;
  };
  State state() const { return {seed_, offset_}; }
  void set_state(State s) { seed_ = s.seed; offset_ = s.offset; }
  void manual_seed(std::uint64_t seed) { seed_ = seed; offset_ = 0; }
  std::uint64_t seed() const { return seed_; }

  // Reserves n 32-bit random words; returns the counter of the first block of 4.
  std::uint64_t reserve(std::uint64_t n) {
    const std::uint64_t first = offset_;
    offset_ += (n + 3) / 4;
    return first;
  }
  // The 4 words of block `counter` of this generator's stream.
  std::array<std::uint32_t, 4> block(std::uint64_t counter) const;

 private:
  std::uint64_t seed_;
  std::uint64_t offset_ = 0;
};

// The calling thread's default generator (seeded 0 until manual_seed).
Generator& default_generator();
void manual_seed(std::uint64_t seed);

// Maps a 32-bit word to [0, 1) (float precision) and two words to [0, 1) (double).
inline float uniform_float(std::uint32_t w) { return static_cast<float>(w >> 8) * 0x1.0p-24f; }
inline double uniform_double(std::uint32_t hi, std::uint32_t lo) {
  return static_cast<double>((static_cast<std::uint64_t>(hi) << 21) ^ (lo >> 11)) * 0x1.0p-53;
}

}  // namespace tg
