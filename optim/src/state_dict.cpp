// Optimizer::state_dict / load_state_dict: the layout is documented at StateDict.
#include <charconv>
#include <set>

#include "state_checks.hpp"
#include "tapegrad/optim/optimizer.hpp"

namespace tg::optim {

namespace {

using detail::checked_count;
using detail::read_count;
using detail::read_scalar;
using detail::scalar_value;

// The value of an option saved as a number, checked against its spec. Booleans are
// saved as 0/1; integers go through validate_option as numbers, which checks them
// before converting (a cast of 1e300 to an integer would be undefined).
OptionValue option_from_scalar(const std::string& who, const std::string& key, const OptionSpec& spec, double v) {
  if (spec.type == OptionType::boolean) {
    TG_CHECK(v == 0 || v == 1, "{}: entry '{}' must be 0 or 1 (option '{}' is a boolean), got {}", who, key,
             spec.name, v);
    return OptionValue(v == 1);
  }
  return validate_option(who, spec, OptionValue(v));
}

double option_to_scalar(const OptionValue& v) { return v.is_boolean() ? (v.to_boolean() ? 1.0 : 0.0) : v.to_number(); }

// "<prefix><g>.<rest>" -> (g, rest), or false unless the key is written exactly as
// state_dict() writes it (so "group.01.params" cannot stand in for "group.1.params").
bool parse_index(const std::string& key, std::size_t prefix, std::size_t& index, std::string& rest) {
  const char* first = key.data() + prefix;
  const char* end = key.data() + key.size();
  const auto [ptr, ec] = std::from_chars(first, end, index);
  if (ec != std::errc() || ptr == end || *ptr != '.' || (*first == '0' && ptr - first > 1)) return false;
  rest.assign(ptr + 1, end);
  return !rest.empty();
}

// "m, v, step" or, with optional entries, "cache (and grad_avg, momentum_buffer when
// their options are on)".
std::string spec_names(const std::vector<StateSpec>& specs, bool with_optional = true) {
  std::string required, optional;
  std::size_t optional_count = 0;
  for (const StateSpec& spec : specs) {
    std::string& list = spec.optional ? optional : required;
    list += (list.empty() ? "" : ", ") + spec.name;
    optional_count += spec.optional ? 1 : 0;
  }
  if (!with_optional || optional.empty()) return required.empty() ? "none" : required;
  return fmt::format("{} (and {} when {} on)", required, optional,
                     optional_count == 1 ? "its option is" : "their options are");
}

}  // namespace

StateSpec buffer_state(std::string name) { return {std::move(name), StateSpec::Kind::buffer, 0, false}; }
StateSpec counter_state(std::string name, std::int64_t min) {
  return {std::move(name), StateSpec::Kind::counter, min, false};
}
StateSpec optional_buffer_state(std::string name) { return {std::move(name), StateSpec::Kind::buffer, 0, true}; }
StateSpec optional_counter_state(std::string name, std::int64_t min) {
  return {std::move(name), StateSpec::Kind::counter, min, true};
}

void Optimizer::declare_state(std::vector<StateSpec> specs) {
  TG_CHECK(!state_specs_, "{}: declare_state called twice", name_);
  std::set<std::string> names;
  for (const StateSpec& spec : specs) {
    TG_CHECK(!spec.name.empty() && spec.name.find('.') == std::string::npos,
             "{}: declare_state: state names must be non-empty and contain no '.', got '{}'", name_, spec.name);
    TG_CHECK(names.insert(spec.name).second, "{}: declare_state: '{}' is declared twice", name_, spec.name);
    TG_CHECK(spec.kind == StateSpec::Kind::buffer || (spec.min >= 0 && spec.min <= max_state_count),
             "{}: declare_state: counter '{}' has minimum {}, expected one in [0, {}]", name_, spec.name, spec.min,
             max_state_count);
  }
  state_specs_ = std::move(specs);
}

StateDict Optimizer::state_dict() const {
  StateDict dict;
  dict["steps"] = state_scalar(static_cast<double>(steps_));
  dict["param_groups"] = state_scalar(static_cast<double>(groups_.size()));
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const ParamGroup& group = groups_[g];
    dict[fmt::format("group.{}.params", g)] = state_scalar(static_cast<double>(group.params.size()));
    dict[fmt::format("group.{}.frozen", g)] = state_scalar(group.frozen ? 1 : 0);
    for (const auto& [name, value] : group.options)
      dict[fmt::format("group.{}.option.{}", g, name)] = state_scalar(option_to_scalar(value));
    for (std::size_t p = 0; p < state_[g].size(); ++p)
      for (const auto& [name, buffer] : state_[g][p]) dict[fmt::format("state.{}.{}.{}", g, p, name)] = buffer.clone();
  }
  StateDict global;
  save_global_state(global);
  for (auto& [name, value] : global) dict["global." + name] = value.clone();
  return dict;
}

void Optimizer::load_state_dict(const StateDict& dict) {
  const std::string who = name_ + ": load_state_dict";
  const std::int64_t steps = read_count(who, dict, "steps");
  const std::size_t num_groups = static_cast<std::size_t>(read_count(who, dict, "param_groups"));
  TG_CHECK(num_groups == groups_.size(),
           "{}: the state has {} parameter group(s), this optimizer {}; build it with the same groups", who,
           num_groups, groups_.size());

  // Everything is read into copies; the optimizer changes only once all of it is checked.
  std::vector<ParamGroup> groups = groups_;
  std::vector<std::vector<ParamState>> state(groups_.size());
  StateDict global;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const std::size_t count = static_cast<std::size_t>(read_count(who, dict, fmt::format("group.{}.params", g)));
    TG_CHECK(count == groups[g].params.size(), "{}: group {} has {} parameter(s) in the state, {} here", who, g,
             count, groups[g].params.size());
    const std::string frozen_key = fmt::format("group.{}.frozen", g);
    const double frozen = read_scalar(who, dict, frozen_key);
    TG_CHECK(frozen == 0 || frozen == 1, "{}: entry '{}' must be 0 or 1, got {}", who, frozen_key, frozen);
    groups[g].frozen = frozen == 1;
    for (const OptionSpec& spec : schema_) {
      const std::string key = fmt::format("group.{}.option.{}", g, spec.name);
      groups[g].options.set(spec.name, option_from_scalar(who, key, spec, read_scalar(who, dict, key)));
    }
    state[g].resize(count);
  }
  for (const auto& [key, value] : dict) {
    if (key == "steps" || key == "param_groups") continue;
    if (key.starts_with("global.")) {
      global.emplace(key.substr(7), value);
      continue;
    }
    std::size_t g = 0;
    std::string rest;
    if (key.starts_with("group.")) {
      TG_CHECK(parse_index(key, 6, g, rest) && g < groups.size(),
               "{}: unexpected entry '{}' (the optimizer has {} group(s))", who, key, groups.size());
      if (rest == "params" || rest == "frozen") continue;  // read above
      TG_CHECK(rest.starts_with("option."), "{}: unexpected entry '{}'", who, key);
      (void)find_option(who, schema_, rest.substr(7));  // read above when known
      continue;
    }
    std::size_t p = 0;
    std::string name;
    TG_CHECK(key.starts_with("state.") && parse_index(key, 6, g, rest) && parse_index(rest, 0, p, name),
             "{}: unexpected entry '{}' (expected steps, param_groups, group.*, state.* or global.*)", who, key);
    TG_CHECK(g < groups.size() && p < groups[g].params.size(),
             "{}: entry '{}' names parameter {} of group {}, which does not exist", who, key, p, g);
    state[g][p][name] = checked_state_entry(who, key, value, g, p, name, groups[g].params[p]);
  }
  if (state_specs_) {  // a parameter has all of its required state or none (not updated yet)
    for (std::size_t g = 0; g < state.size(); ++g)
      for (std::size_t p = 0; p < state[g].size(); ++p) {
        if (state[g][p].empty()) continue;
        for (const StateSpec& spec : *state_specs_)
          TG_CHECK(spec.optional || state[g][p].contains(spec.name),
                   "{}: missing entry 'state.{}.{}.{}' ({} keeps {} for each parameter it has updated)", who, g, p,
                   spec.name, name_, spec_names(*state_specs_, false));
      }
  }
  load_global_state(global);  // validates before changing anything
  groups_ = std::move(groups);
  state_ = std::move(state);
  steps_ = steps;
}

Tensor Optimizer::checked_state_entry(const std::string& who, const std::string& key, const Tensor& value,
                                      std::size_t g, std::size_t p, const std::string& name,
                                      const Tensor& param) const {
  TG_CHECK(value.defined(), "{}: entry '{}' is an undefined tensor", who, key);
  const StateSpec* spec = nullptr;
  if (state_specs_) {
    for (const StateSpec& s : *state_specs_)
      if (s.name == name) spec = &s;
    TG_CHECK(spec, "{}: unexpected entry '{}': {} keeps no state '{}' per parameter (it keeps {})", who, key, name_,
             name, spec_names(*state_specs_));
    if (spec->kind == StateSpec::Kind::counter)
      return state_scalar(static_cast<double>(checked_count(who, key, scalar_value(who, key, value), spec->min)));
  } else if (value.dim() == 0 && value.dtype() == f64) {  // an undeclared counter or scalar
    return value.clone();
  }
  TG_CHECK(value.shape() == param.shape() && value.dtype() == param.dtype(),
           "{}: entry '{}' has shape {} and dtype {}, but parameter {} of group {} has shape {} and dtype {}", who,
           key, value.shape().str(), dtype_name(value.dtype()), p, g, param.shape().str(), dtype_name(param.dtype()));
  return value.contiguous().clone();
}

}  // namespace tg::optim
