#include "tapegrad/optim/options.hpp"

#include <fmt/ranges.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <set>

#include "tapegrad/did_you_mean.hpp"
#include "tapegrad/error.hpp"

namespace tg::optim {

std::string_view option_type_name(OptionType type) {
  switch (type) {
    case OptionType::number: return "number";
    case OptionType::integer: return "integer";
    default: return "boolean";
  }
}

double OptionValue::to_number() const {
  TG_CHECK(is_numeric(), "option: expected a number, got the boolean {}", str());
  return type_ == OptionType::integer ? static_cast<double>(integer_) : number_;
}

std::int64_t OptionValue::to_integer() const {
  if (type_ == OptionType::integer) return integer_;
  TG_CHECK(type_ == OptionType::number && std::isfinite(number_) && number_ == std::trunc(number_) &&
               std::fabs(number_) < 9.0e18,
           "option: expected an integer, got {}", str());
  return static_cast<std::int64_t>(number_);
}

bool OptionValue::to_boolean() const {
  TG_CHECK(is_boolean(), "option: expected true or false, got the {} {}", option_type_name(type_), str());
  return boolean_;
}

std::string OptionValue::str() const {
  switch (type_) {
    case OptionType::number: return fmt::format("{}", number_);
    case OptionType::integer: return fmt::format("{}", integer_);
    default: return boolean_ ? "true" : "false";
  }
}

bool operator==(const OptionValue& a, const OptionValue& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case OptionType::number: return a.number_ == b.number_;
    case OptionType::integer: return a.integer_ == b.integer_;
    default: return a.boolean_ == b.boolean_;
  }
}

Options::Options(std::initializer_list<Entry> entries) {
  for (const Entry& entry : entries) {
    TG_CHECK(!contains(entry.first), "options: '{}' is given twice", entry.first);
    values_.emplace(entry.first, entry.second);
  }
}

void Options::set(const std::string& name, const OptionValue& value) { values_[name] = value; }

const OptionValue* Options::find(std::string_view name) const {
  const auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

const OptionValue& Options::at(std::string_view name) const {
  const OptionValue* value = find(name);
  TG_CHECK(value != nullptr, "options: no option '{}'", name);
  return *value;
}

std::string Options::str() const {
  std::string out = "{";
  for (const auto& [name, value] : values_) {
    if (out.size() > 1) out += ", ";
    out += name + "=" + value.str();
  }
  return out + "}";
}

bool OptionRange::contains(double v) const {
  if (std::isnan(v)) return false;
  const bool above = min_inclusive ? v >= min : v > min;
  const bool below = max_inclusive ? v <= max : v < max;
  return above && below;
}

std::string OptionRange::str(std::string_view name) const {
  const bool has_min = std::isfinite(min), has_max = std::isfinite(max);
  if (has_min && has_max) return fmt::format("{} {} {} {} {}", min, min_inclusive ? "<=" : "<", name,
                                             max_inclusive ? "<=" : "<", max);
  if (has_min) return fmt::format("{} {} {}", name, min_inclusive ? ">=" : ">", min);
  if (has_max) return fmt::format("{} {} {}", name, max_inclusive ? "<=" : "<", max);
  return fmt::format("{} finite", name);
}

OptionRange at_least(double min) { return {min, std::numeric_limits<double>::infinity(), true, true}; }
OptionRange greater_than(double min) { return {min, std::numeric_limits<double>::infinity(), false, true}; }
OptionRange unit_interval_open_right() { return {0.0, 1.0, true, false}; }
OptionRange closed_interval(double min, double max) { return {min, max, true, true}; }

OptionSpec number_option(std::string name, double default_value, std::string doc, OptionRange range) {
  return {std::move(name), OptionType::number, OptionValue(default_value), std::move(doc), range};
}
OptionSpec integer_option(std::string name, std::int64_t default_value, std::string doc, OptionRange range) {
  return {std::move(name), OptionType::integer, OptionValue(default_value), std::move(doc), range};
}
OptionSpec boolean_option(std::string name, bool default_value, std::string doc) {
  return {std::move(name), OptionType::boolean, OptionValue(default_value), std::move(doc), {}};
}

OptionValue validate_option(std::string_view owner, const OptionSpec& spec, const OptionValue& value) {
  if (spec.type == OptionType::boolean) {
    TG_CHECK(value.is_boolean(), "{}: option '{}' must be true or false, got the {} {}", owner, spec.name,
             option_type_name(value.type()), value.str());
    return value;
  }
  TG_CHECK(value.is_numeric(), "{}: option '{}' must be {} {}, got the boolean {}", owner, spec.name,
           spec.type == OptionType::integer ? "an" : "a", option_type_name(spec.type), value.str());
  const double number = value.to_number();
  TG_CHECK(std::isfinite(number), "{}: option '{}' must be finite, got {}", owner, spec.name, value.str());
  OptionValue converted = value;
  if (spec.type == OptionType::integer) {
    TG_CHECK(number == std::trunc(number) && std::fabs(number) < 9.0e18,
             "{}: option '{}' must be an integer, got {}", owner, spec.name, value.str());
    converted = OptionValue(value.to_integer());
  } else {
    converted = OptionValue(number);
  }
  TG_CHECK(spec.range.contains(number), "{}: option '{}' must satisfy {}, got {}", owner, spec.name,
           spec.range.str(spec.name), value.str());
  return converted;
}

const OptionSpec& find_option(std::string_view owner, std::span<const OptionSpec> schema, std::string_view name) {
  for (const OptionSpec& spec : schema)
    if (spec.name == name) return spec;
  std::vector<std::string> names;
  for (const OptionSpec& spec : schema) names.push_back(spec.name);
  fail("{}: unknown option '{}'{}; options: {}", owner, name, did_you_mean(name, names),
       names.empty() ? std::string("(none)") : fmt::format("{}", fmt::join(names, ", ")));
}

Options resolve_options(std::string_view owner, std::span<const OptionSpec> schema, const Options& given,
                        const Options& base) {
  for (const auto& [name, value] : given) (void)find_option(owner, schema, name);
  Options out;
  for (const OptionSpec& spec : schema) {
    if (const OptionValue* value = given.find(spec.name)) {
      out.set(spec.name, validate_option(owner, spec, *value));
    } else if (const OptionValue* inherited = base.find(spec.name)) {
      out.set(spec.name, *inherited);
    } else {
      out.set(spec.name, spec.default_value);
    }
  }
  return out;
}

namespace {
bool is_identifier(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

template <class T>
bool parse_whole(std::string_view text, T& out) {
  const char* first = text.data();
  const char* last = first + text.size();
  if (first != last && *first == '+') ++first;  // from_chars rejects a leading '+'
  const auto [ptr, error] = std::from_chars(first, last, out);
  return error == std::errc() && ptr == last && first != last;
}
}  // namespace

std::pair<std::string, OptionValue> parse_option(std::string_view text) {
  const std::size_t eq = text.find('=');
  TG_CHECK(eq != std::string_view::npos, "parse_option: expected key=value, got '{}'", text);
  const std::string_view key = text.substr(0, eq), value = text.substr(eq + 1);
  TG_CHECK(is_identifier(key), "parse_option: '{}': the name '{}' is not an option name (letters, digits, _)",
           text, key);
  TG_CHECK(!value.empty(), "parse_option: '{}': no value after '='", text);
  if (value == "true") return {std::string(key), OptionValue(true)};
  if (value == "false") return {std::string(key), OptionValue(false)};
  std::int64_t integer = 0;
  if (parse_whole(value, integer)) return {std::string(key), OptionValue(integer)};
  double number = 0;
  TG_CHECK(parse_whole(value, number) && std::isfinite(number),
           "parse_option: '{}': the value '{}' is not a number (e.g. 0.01, 1e-3, 10) or true/false", text, value);
  return {std::string(key), OptionValue(number)};
}

Options parse_options(std::span<const std::string> texts) {
  Options out;
  for (const std::string& text : texts) {
    auto [name, value] = parse_option(text);
    TG_CHECK(!out.contains(name), "parse_options: option '{}' is given twice", name);
    out.set(name, value);
  }
  return out;
}

}  // namespace tg::optim
