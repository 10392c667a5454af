#pragma once
// Numeric command-line options with a range: CLI11 hands over the exact text and
// parse_in_range (number_range.hpp) turns it into the value or a tg::Error naming the
// command, the option, the text and the range, while CLI11 parses the command line (before
// the command runs). Help shows the range as the option's type, e.g. "INT in [1, 100000]".
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <limits>
#include <type_traits>
#include <vector>

#include <tapegrad/error.hpp>

#include <tapegrad/train/number_range.hpp>

namespace tg::apps::cli {

using train::IntRange;
using train::kAnySeed;
using train::kBatchSize;
using train::kBelowOne;
using train::kEpochs;
using train::kFraction;
using train::kPositive;
using train::kSteps;
using train::kThreads;
using train::kTrainLimit;
using train::kValidation;
using train::NumberRange;
using train::parse_in_range;
using train::RealRange;
using train::SeedRange;

namespace detail {

// The range an option of type T is parsed with: IntRange for signed integers of any width.
template <class T>
using ParseType = std::conditional_t<std::is_floating_point_v<T>, double,
                                     std::conditional_t<std::is_signed_v<T>, std::int64_t, std::uint64_t>>;

template <class T>
std::string type_name(const NumberRange<ParseType<T>>& range) {
  const std::string described = range.describe();  // "an integer in [1, 100000]"
  return fmt::format("{} {}", std::is_integral_v<T> ? "INT" : "FLOAT", described.substr(described.find(" in ") + 1));
}

template <class T>
T parse(const std::string& where, const std::string& text, const NumberRange<ParseType<T>>& range) {
  using Limits = std::numeric_limits<T>;
  if constexpr (std::is_integral_v<T>)  // the range must fit the option's type (a programming error otherwise)
    TG_CHECK(range.low >= static_cast<ParseType<T>>(Limits::lowest()) &&
                 range.high <= static_cast<ParseType<T>>(Limits::max()),
             "{}: its range {} does not fit its type", where, range.describe());
  return static_cast<T>(parse_in_range(where, text, range));
}

inline std::string where(const CLI::App& command, const std::string& name) {
  return fmt::format("{}: {}", command.get_name(), name);
}

}  // namespace detail

namespace detail {

// The option that parses its one value into target (a number or a std::optional of one).
template <class T, class Target>
CLI::Option* add_single(CLI::App& command, const std::string& name, Target& target,
                        const NumberRange<ParseType<T>>& range, const std::string& description) {
  const std::string at = where(command, name);
  return command
      .add_option_function<std::string>(
          name, [&target, at, range](const std::string& text) { target = parse<T>(at, text, range); }, description)
      ->type_name(type_name<T>(range));
}

}  // namespace detail

// One value, e.g. --epochs 12; given twice is an error (CLI11's default).
template <class T>
  requires std::is_arithmetic_v<T>
CLI::Option* add_ranged_option(CLI::App& command, const std::string& name, T& target,
                               const NumberRange<detail::ParseType<T>>& range, const std::string& description) {
  return detail::add_single<T>(command, name, target, range, description)->default_str(fmt::format("{}", target));
}

// An optional value: unset when the option is not given (the default then depends on others).
template <class T>
CLI::Option* add_ranged_option(CLI::App& command, const std::string& name, std::optional<T>& target,
                               const NumberRange<detail::ParseType<T>>& range, const std::string& description) {
  return detail::add_single<T>(command, name, target, range, description);
}

// A list (the caller sets the delimiter, e.g. ->delimiter(',')); each value in the range.
template <class T>
CLI::Option* add_ranged_option(CLI::App& command, const std::string& name, std::vector<T>& target,
                               const NumberRange<detail::ParseType<T>>& range, const std::string& description) {
  const std::string where = detail::where(command, name);
  CLI::Option* option = command.add_option_function<std::vector<std::string>>(
      name,
      [&target, where, range](const std::vector<std::string>& texts) {
        target.clear();
        for (const std::string& text : texts) target.push_back(detail::parse<T>(where, text, range));
      },
      description);
  option->type_name(detail::type_name<T>(range));
  if (!target.empty()) option->default_str(fmt::format("{}", fmt::join(target, ",")));
  return option;
}

}  // namespace tg::apps::cli
