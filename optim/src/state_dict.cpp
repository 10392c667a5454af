// Optimizer::state_dict / load_state_dict: the layout is documented at StateDict.
#include <charconv>
#include <cmath>

#include "tapegrad/optim/optimizer.hpp"

namespace tg::optim {

namespace {

// A 0-d (or one-element) f64 tensor's value; an error naming key otherwise.
double read_scalar(const std::string& who, const StateDict& dict, const std::string& key) {
  const auto it = dict.find(key);
  TG_CHECK(it != dict.end(), "{}: missing entry '{}'", who, key);
  const Tensor& t = it->second;
  TG_CHECK(t.defined() && t.numel() == 1 && t.dtype() == f64,
           "{}: entry '{}' must be a one-element f64 tensor, got {} of shape {}", who, key,
           t.defined() ? dtype_name(t.dtype()) : "undefined", t.defined() ? t.shape().str() : "-");
  return t.item();
}

std::size_t read_count(const std::string& who, const StateDict& dict, const std::string& key) {
  const double v = read_scalar(who, dict, key);
  TG_CHECK(v >= 0 && v == std::trunc(v) && v < 1e15, "{}: entry '{}' must be a count, got {}", who, key, v);
  return static_cast<std::size_t>(v);
}

OptionValue option_from_scalar(const OptionSpec& spec, double v) {
  switch (spec.type) {
    case OptionType::boolean: return OptionValue(v != 0);
    case OptionType::integer: return OptionValue(static_cast<std::int64_t>(v));
    default: return OptionValue(v);
  }
}

double option_to_scalar(const OptionValue& v) { return v.is_boolean() ? (v.to_boolean() ? 1.0 : 0.0) : v.to_number(); }

// "state.<g>.<p>.<name>" -> (g, p, name); false when the key is malformed.
bool parse_state_key(const std::string& key, std::size_t& group, std::size_t& index, std::string& name) {
  const char* p = key.data() + 6;  // after "state."
  const char* end = key.data() + key.size();
  auto r1 = std::from_chars(p, end, group);
  if (r1.ec != std::errc() || r1.ptr == end || *r1.ptr != '.') return false;
  auto r2 = std::from_chars(r1.ptr + 1, end, index);
  if (r2.ec != std::errc() || r2.ptr == end || *r2.ptr != '.') return false;
  name.assign(r2.ptr + 1, end);
  return !name.empty();
}

}  // namespace

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
  const double steps = read_scalar(who, dict, "steps");
  TG_CHECK(steps >= 0 && steps == std::trunc(steps), "{}: entry 'steps' must be a count, got {}", who, steps);
  const std::size_t num_groups = read_count(who, dict, "param_groups");
  TG_CHECK(num_groups == groups_.size(),
           "{}: the state has {} parameter group(s), this optimizer {}; build it with the same groups", who,
           num_groups, groups_.size());

  std::vector<ParamGroup> groups = groups_;
  std::vector<std::vector<ParamState>> state(groups_.size());
  StateDict global;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const std::size_t count = read_count(who, dict, fmt::format("group.{}.params", g));
    TG_CHECK(count == groups[g].params.size(), "{}: group {} has {} parameter(s) in the state, {} here", who, g,
             count, groups[g].params.size());
    groups[g].frozen = read_scalar(who, dict, fmt::format("group.{}.frozen", g)) != 0;
    state[g].resize(count);
  }
  for (const auto& [key, value] : dict) {
    if (key == "steps" || key == "param_groups") continue;
    if (key.starts_with("global.")) {
      global.emplace(key.substr(7), value);
      continue;
    }
    if (key.starts_with("group.")) {
      std::size_t g = 0;
      const auto [ptr, ec] = std::from_chars(key.data() + 6, key.data() + key.size(), g);
      const std::string rest(ptr, key.data() + key.size());
      TG_CHECK(ec == std::errc() && g < groups.size(), "{}: unexpected entry '{}'", who, key);
      if (rest == ".params" || rest == ".frozen") continue;
      TG_CHECK(rest.starts_with(".option."), "{}: unexpected entry '{}'", who, key);
      const std::string option_name = rest.substr(8);
      const OptionSpec& spec = find_option(who, schema_, option_name);
      const double v = read_scalar(who, dict, key);
      groups[g].options.set(spec.name, validate_option(who, spec, option_from_scalar(spec, v)));
      continue;
    }
    std::size_t g = 0, p = 0;
    std::string buffer;
    TG_CHECK(key.starts_with("state.") && parse_state_key(key, g, p, buffer),
             "{}: unexpected entry '{}' (expected steps, param_groups, group.*, state.* or global.*)", who, key);
    TG_CHECK(g < groups.size() && p < groups[g].params.size(), "{}: entry '{}' names parameter {} of group {}, "
             "which does not exist", who, key, p, g);
    const Tensor& param = groups[g].params[p];
    TG_CHECK(value.defined(), "{}: entry '{}' is an undefined tensor", who, key);
    const bool counter = value.dim() == 0 && value.dtype() == f64;
    TG_CHECK(counter || (value.shape() == param.shape() && value.dtype() == param.dtype()),
             "{}: entry '{}' has shape {} and dtype {}, but parameter {} of group {} has shape {} and dtype {}",
             who, key, value.shape().str(), dtype_name(value.dtype()), p, g, param.shape().str(),
             dtype_name(param.dtype()));
    state[g][p][buffer] = value.contiguous().clone();
  }
  load_global_state(global);  // validates before changing anything
  groups_ = std::move(groups);
  state_ = std::move(state);
  steps_ = static_cast<std::int64_t>(steps);
}

}  // namespace tg::optim
