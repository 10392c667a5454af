#pragma once
// Named, typed optimizer options: OptionValue (a number, an integer or a boolean),
// Options (name -> value, written as a literal: {{"lr", 1e-3}, {"nesterov", true}}),
// OptionSpec (name, type, default, range, one-line doc) and the validation that turns
// what a user gave into a complete, checked set of values.
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tg::optim {

enum class OptionType : std::uint8_t { number, integer, boolean };
std::string_view option_type_name(OptionType type);  // "number", "integer", "boolean"

class OptionValue {
 public:
  OptionValue() = default;  // the number 0
  OptionValue(bool value) : type_(OptionType::boolean), boolean_(value) {}
  template <std::floating_point T>
  OptionValue(T value) : type_(OptionType::number), number_(static_cast<double>(value)) {}
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  OptionValue(T value) : type_(OptionType::integer), integer_(static_cast<std::int64_t>(value)) {}
  // A string literal would silently become the boolean true.
  OptionValue(const char*) = delete;

  OptionType type() const { return type_; }
  bool is_boolean() const { return type_ == OptionType::boolean; }
  // Numeric values: a number or an integer.
  bool is_numeric() const { return type_ != OptionType::boolean; }
  // The value as a double (numbers and integers; a boolean is an error).
  double to_number() const;
  // The value as an integer (integers, and numbers with an integral value).
  std::int64_t to_integer() const;
  bool to_boolean() const;
  std::string str() const;  // "0.001", "10", "true"

  friend bool operator==(const OptionValue& a, const OptionValue& b);

 private:
  OptionType type_ = OptionType::number;
  double number_ = 0;
  std::int64_t integer_ = 0;
  bool boolean_ = false;
};

// Name -> value. A literal with the same name twice is an error.
class Options {
 public:
  using Entry = std::pair<std::string, OptionValue>;
  Options() = default;
  Options(std::initializer_list<Entry> entries);

  void set(const std::string& name, const OptionValue& value);  // replaces
  bool contains(std::string_view name) const { return values_.find(name) != values_.end(); }
  const OptionValue* find(std::string_view name) const;
  const OptionValue& at(std::string_view name) const;  // an error naming the option if absent
  double number(std::string_view name) const { return at(name).to_number(); }
  std::int64_t integer(std::string_view name) const { return at(name).to_integer(); }
  bool boolean(std::string_view name) const { return at(name).to_boolean(); }

  std::size_t size() const { return values_.size(); }
  bool empty() const { return values_.empty(); }
  auto begin() const { return values_.begin(); }
  auto end() const { return values_.end(); }
  std::string str() const;  // "{beta1=0.9, lr=0.001}"

 private:
  std::map<std::string, OptionValue, std::less<>> values_;
};

// Allowed values of a numeric option: [min, max] with each end open or closed.
struct OptionRange {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_inclusive = true;
  bool max_inclusive = true;

  bool contains(double v) const;
  std::string str(std::string_view name) const;  // "0 <= beta1 < 1", "eps > 0"
};
OptionRange at_least(double min);                  // [min, inf)
OptionRange greater_than(double min);              // (min, inf)
OptionRange unit_interval_open_right();            // [0, 1): betas, decays, momentum
OptionRange closed_interval(double min, double max);

struct OptionSpec {
  std::string name{};
  OptionType type = OptionType::number;
  OptionValue default_value{};
  std::string doc{};  // one line
  OptionRange range{};
};
OptionSpec number_option(std::string name, double default_value, std::string doc, OptionRange range = {});
OptionSpec integer_option(std::string name, std::int64_t default_value, std::string doc,
                          OptionRange range = at_least(0));
OptionSpec boolean_option(std::string name, bool default_value, std::string doc);

// Checks value against spec (type, integrality, range) and returns it converted to the
// spec's type. Errors start with owner ("adam: option 'beta1' must satisfy 0 <= beta1 < 1,
// got 1").
OptionValue validate_option(std::string_view owner, const OptionSpec& spec, const OptionValue& value);

// Every option of schema: its default, replaced by base's value if base has it (base
// must be valid already), replaced by given's value if given has it (validated). A name
// of given that schema does not have is an error listing the options.
Options resolve_options(std::string_view owner, std::span<const OptionSpec> schema, const Options& given,
                        const Options& base = {});

// The spec called name, or an error listing schema's options.
const OptionSpec& find_option(std::string_view owner, std::span<const OptionSpec> schema, std::string_view name);

// "key=value" from a command line: value is true/false, an integer ("10") or a number
// ("1e-3", "0.5", "-2"). Anything else is an error naming the text.
std::pair<std::string, OptionValue> parse_option(std::string_view text);
Options parse_options(std::span<const std::string> texts);  // a name twice is an error

}  // namespace tg::optim
