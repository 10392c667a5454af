#include <tapegrad/train/number_range.hpp>

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <system_error>
#include <type_traits>

#include <tapegrad/error.hpp>

namespace tg::train {

namespace {

std::string format_bound(double x) { return std::isinf(x) ? (x > 0 ? "inf" : "-inf") : fmt::format("{}", x); }
template <class T>
std::string format_bound(T x) {
  return fmt::format("{}", x);
}

enum class Parsed { ok, out_of_range, not_a_number };

// std::from_chars over the whole text; a leading '+' is accepted as a sign.
template <class T>
Parsed parse_whole(std::string_view text, T& value) {
  if (text.size() > 1 && text.front() == '+' && text[1] != '-' && text[1] != '+') text.remove_prefix(1);
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (stop != end || text.empty()) return Parsed::not_a_number;
  if (error == std::errc::result_out_of_range) return Parsed::out_of_range;
  return error == std::errc{} ? Parsed::ok : Parsed::not_a_number;
}

template <class T>
Parsed parse_number(std::string_view text, T& value) {
  const Parsed parsed = parse_whole(text, value);
  if constexpr (std::is_unsigned_v<T>) {
    // from_chars refuses a sign for unsigned types: "-1" is a number, below the range.
    std::int64_t negative = 0;
    if (parsed == Parsed::not_a_number && !text.empty() && text.front() == '-') {
      const Parsed as_signed = parse_whole(text, negative);
      if (as_signed != Parsed::not_a_number) return Parsed::out_of_range;
    }
  }
  return parsed;
}

}  // namespace

template <class T>
bool NumberRange<T>::contains(T value) const {
  if constexpr (std::is_floating_point_v<T>)
    if (!std::isfinite(value)) return false;
  return (low_open ? value > low : value >= low) && (high_open ? value < high : value <= high);
}

template <class T>
std::string NumberRange<T>::describe() const {
  return fmt::format("{} in {}{}, {}{}", std::is_integral_v<T> ? "an integer" : "a number", low_open ? '(' : '[',
                     format_bound(low), format_bound(high), high_open ? ')' : ']');
}

template <class T>
T parse_in_range(std::string_view where, std::string_view text, const NumberRange<T>& range) {
  T value{};
  const Parsed parsed = parse_number(text, value);
  TG_CHECK(parsed != Parsed::not_a_number, "{} '{}' is not {}: expected {}", where, text,
           std::is_integral_v<T> ? "an integer" : "a number", range.describe());
  TG_CHECK(parsed == Parsed::ok && range.contains(value), "{} '{}' is out of range: expected {}", where, text,
           range.describe());
  return value;
}

template struct NumberRange<std::int64_t>;
template struct NumberRange<std::uint64_t>;
template struct NumberRange<double>;
template std::int64_t parse_in_range(std::string_view, std::string_view, const NumberRange<std::int64_t>&);
template std::uint64_t parse_in_range(std::string_view, std::string_view, const NumberRange<std::uint64_t>&);
template double parse_in_range(std::string_view, std::string_view, const NumberRange<double>&);

}  // namespace tg::train
