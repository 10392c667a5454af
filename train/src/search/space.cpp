#include <tapegrad/train/search/space.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <set>

#include <tapegrad/error.hpp>
#include <tapegrad/random.hpp>

namespace tg::train::search {

namespace {

const char* scale_name(Scale scale) { return scale == Scale::log ? "log" : "linear"; }

double transform(Scale scale, double value) { return scale == Scale::log ? std::log10(value) : value; }
double untransform(Scale scale, double value) { return scale == Scale::log ? std::pow(10.0, value) : value; }

double parse_number(const std::string& range_text, const char* what, const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text.c_str(), &end);
  TG_CHECK(!text.empty() && end == text.c_str() + text.size() && errno == 0 && std::isfinite(value),
           "--range '{}': {} '{}' is not a finite number", range_text, what, text);
  return value;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string::size_type start = 0;
  while (true) {
    const auto at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

// Counter layout of sample(): 16 bits of stage, 32 of trial, 16 of the range's index.
constexpr int kMaxStage = 0xFFFF;
constexpr std::int64_t kMaxTrial = 0xFFFFFFFFLL;
constexpr std::size_t kMaxRanges = 0x10000;

}  // namespace

double Range::to_unit(double value) const {
  return (transform(scale, value) - transform(scale, low)) / (transform(scale, high) - transform(scale, low));
}

double Range::from_unit(double unit) const {
  const double t = transform(scale, low) + unit * (transform(scale, high) - transform(scale, low));
  return std::clamp(untransform(scale, t), low, high);
}

std::string Range::str() const { return fmt::format("{}={}:{}:{}", name, low, high, scale_name(scale)); }

std::string Range::display() const {
  return fmt::format("{} in [{:.3g}, {:.3g}] ({})", name, low, high, scale_name(scale));
}

Range parse_range(const std::string& text) {
  const auto equals = text.find('=');
  TG_CHECK(equals != std::string::npos && equals > 0,
           "--range '{}': expected name=low:high[:scale], e.g. lr=1e-5:1e-1:log or dropout=0:0.7:linear", text);
  Range range;
  range.name = text.substr(0, equals);
  const std::vector<std::string> parts = split(text.substr(equals + 1), ':');
  TG_CHECK(parts.size() == 2 || parts.size() == 3,
           "--range '{}': expected name=low:high[:scale] (low and high separated by ':'), e.g. {}=1e-5:1e-1:log",
           text, range.name);
  range.low = parse_number(text, "low", parts[0]);
  range.high = parse_number(text, "high", parts[1]);
  if (parts.size() == 3) {
    TG_CHECK(parts[2] == "log" || parts[2] == "linear", "--range '{}': unknown scale '{}'; known: log, linear", text,
             parts[2]);
    range.scale = parts[2] == "log" ? Scale::log : Scale::linear;
  } else {
    range.scale = range.name == "dropout" ? Scale::linear : Scale::log;
  }
  TG_CHECK(range.low < range.high, "--range '{}': low {:g} must be below high {:g}", text, range.low, range.high);
  TG_CHECK(range.scale == Scale::linear || range.low > 0,
           "--range '{}': a log range needs low > 0, got {:g} (use :linear for a range that includes 0)", text,
           range.low);
  return range;
}

const Range& SearchSpace::at(const std::string& name) const {
  for (const Range& range : ranges)
    if (range.name == name) return range;
  fail("search space: no range named '{}'; ranges: {}", name, str());
}

std::string SearchSpace::str() const {
  std::string text;
  for (const Range& range : ranges) {
    if (!text.empty()) text += ' ';
    text += range.str();
  }
  return text;
}

SearchSpace default_space() {
  return {{{"lr", 1e-5, 1e-1, Scale::log}, {"weight_decay", 1e-6, 1e-1, Scale::log},
           {"dropout", 0.0, 0.7, Scale::linear}}};
}

SearchSpace parse_space(const std::vector<std::string>& texts) {
  if (texts.empty()) return default_space();
  SearchSpace space;
  std::set<std::string> names;
  for (const std::string& text : texts) {
    Range range = parse_range(text);
    TG_CHECK(names.insert(range.name).second, "--range: '{}' is given twice", range.name);
    space.ranges.push_back(std::move(range));
  }
  TG_CHECK(space.ranges.size() <= kMaxRanges, "--range: at most {} ranges, got {}", kMaxRanges, space.ranges.size());
  return space;
}

Configuration sample(const SearchSpace& space, std::uint64_t seed, int stage, int trial) {
  TG_CHECK(stage >= 1 && stage <= kMaxStage, "search: stage must be in [1, {}], got {}", kMaxStage, stage);
  TG_CHECK(trial >= 0 && trial <= kMaxTrial, "search: trial must be in [0, {}], got {}", kMaxTrial, trial);
  const Generator stream(seed);
  Configuration values;
  for (std::size_t k = 0; k < space.ranges.size(); ++k) {
    const std::uint64_t counter =
        (static_cast<std::uint64_t>(stage) << 48) | (static_cast<std::uint64_t>(trial) << 16) | k;
    const auto words = stream.block(counter);
    const Range& range = space.ranges[k];
    values[range.name] = range.from_unit(uniform_double(words[0], words[1]));
  }
  return values;
}

SearchSpace narrow(const SearchSpace& original, const std::vector<Configuration>& best, double padding,
                   double min_padding) {
  TG_CHECK(!best.empty(), "search: narrowing needs at least one configuration");
  SearchSpace narrowed = original;
  for (Range& range : narrowed.ranges) {
    double low = std::numeric_limits<double>::infinity(), high = -low;
    for (const Configuration& values : best) {
      const auto it = values.find(range.name);
      TG_CHECK(it != values.end(), "search: a configuration to narrow around has no value for '{}'", range.name);
      low = std::min(low, range.to_unit(it->second));
      high = std::max(high, range.to_unit(it->second));
    }
    const double pad = std::max(padding * (high - low), min_padding);
    const double new_low = range.from_unit(std::max(0.0, low - pad));
    const double new_high = range.from_unit(std::min(1.0, high + pad));
    range.low = new_low;
    range.high = new_high;
  }
  return narrowed;
}

std::vector<BorderWarning> border_warnings(const SearchSpace& space, const Configuration& best, double fraction) {
  std::vector<BorderWarning> warnings;
  for (const Range& range : space.ranges) {
    const auto it = best.find(range.name);
    if (it == best.end()) continue;
    const double unit = range.to_unit(it->second);
    if (unit > fraction && unit < 1 - fraction) continue;
    const bool upper = unit >= 1 - fraction;
    warnings.push_back({range.name, it->second, upper,
                        fmt::format("best {} {:.3g} lies at the {} border of [{:g}, {:g}]: widen the range", range.name,
                                    it->second, upper ? "upper" : "lower", range.low, range.high)});
  }
  return warnings;
}

}  // namespace tg::train::search
