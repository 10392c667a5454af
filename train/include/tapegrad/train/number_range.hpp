#pragma once
// Numbers from the command line (and from checkpoint metadata), each checked against the
// range it may take before anything runs. CLI11 alone saturates out-of-range integers
// (99999999999999999999 becomes 2^63-1, -1 for an unsigned option becomes 2^64-1) and
// turns an empty string into the default; these parse the exact text instead.
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace tg::train {

// The values an option takes: [low, high] for integers (IntRange serves every signed
// integer option, whatever its C++ type); for floating point either end
// may be open, and an open infinite end means any finite value (inf and NaN never pass).
template <class T>
struct NumberRange {
  T low;
  T high;
  bool low_open = false;
  bool high_open = false;

  bool contains(T value) const;
  // "an integer in [1, 100000]", "a number in (0, 1)", "a number in (0, inf)".
  std::string describe() const;
};

using IntRange = NumberRange<std::int64_t>;
using SeedRange = NumberRange<std::uint64_t>;
using RealRange = NumberRange<double>;

// Every seed: 0 to 2^64-1.
inline constexpr SeedRange kAnySeed{0, std::numeric_limits<std::uint64_t>::max()};
// Any finite value > 0 (learning rates, tolerances without a natural top).
inline constexpr RealRange kPositive{0, std::numeric_limits<double>::infinity(), true, true};
// Threads: 0 keeps the default (OMP_NUM_THREADS, else adaptive: docs/threads.md).
inline constexpr IntRange kThreads{0, 1024};
// Probabilities and strengths: [0, 1]; dropout and label smoothing: [0, 1).
inline constexpr RealRange kFraction{0, 1};
inline constexpr RealRange kBelowOne{0, 1, false, true};
// Shared by train, search and bench. The tops keep every product of them (steps =
// epochs x batches) far from overflow; the data's own size is checked when it is loaded.
inline constexpr IntRange kEpochs{1, 100'000};
inline constexpr IntRange kBatchSize{1, 65'536};
inline constexpr IntRange kValidation{1, 1'000'000'000};
inline constexpr IntRange kTrainLimit{0, 1'000'000'000};  // 0: all
inline constexpr IntRange kSteps{1, 1'000'000'000};

// The value of text, or a tg::Error naming where it came from (e.g. "train: --epochs"),
// the text and the range: "train: --epochs '99999999999999999999' is out of range:
// expected an integer in [1, 100000]". Integers are decimal (an optional sign, digits,
// nothing else); floating-point values are what std::from_chars reads.
template <class T>
T parse_in_range(std::string_view where, std::string_view text, const NumberRange<T>& range);

extern template struct NumberRange<std::int64_t>;
extern template struct NumberRange<std::uint64_t>;
extern template struct NumberRange<double>;
extern template std::int64_t parse_in_range(std::string_view, std::string_view, const NumberRange<std::int64_t>&);
extern template std::uint64_t parse_in_range(std::string_view, std::string_view, const NumberRange<std::uint64_t>&);
extern template double parse_in_range(std::string_view, std::string_view, const NumberRange<double>&);

}  // namespace tg::train
