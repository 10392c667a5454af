#include "tapegrad/optim/registry.hpp"

#include <cmath>
#include <map>
#include <mutex>

#include "names.hpp"

namespace tg::optim {

namespace {
struct Registry {
  std::mutex mutex;
  std::map<std::string, OptimizerInfo, std::less<>> entries;
};
Registry& registry() {
  static Registry r;  // constructed on first use: registrations run during static initialization
  return r;
}
std::vector<std::string> names_locked(const Registry& r) {
  std::vector<std::string> names;
  for (const auto& [name, info] : r.entries) names.push_back(name);
  return names;
}
}  // namespace

void register_optimizer(OptimizerInfo info) {
  TG_CHECK(!info.name.empty(), "optim::register_optimizer: empty optimizer name");
  TG_CHECK(static_cast<bool>(info.factory), "optim::register_optimizer: '{}' has no factory", info.name);
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  TG_CHECK(!r.entries.contains(info.name), "optim::register_optimizer: an optimizer named '{}' is already registered",
           info.name);
  std::string name = info.name;
  r.entries.emplace(std::move(name), std::move(info));
}

bool is_registered(std::string_view name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  return r.entries.find(name) != r.entries.end();
}

std::vector<OptimizerInfo> registered() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  std::vector<OptimizerInfo> out;
  for (const auto& [name, info] : r.entries) out.push_back(info);
  return out;
}

OptimizerInfo find_optimizer(std::string_view name) {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  const auto it = r.entries.find(name);
  if (it == r.entries.end()) {
    const std::vector<std::string> names = names_locked(r);
    fail("optim::create: unknown optimizer '{}'{}; registered: {}", name, detail::did_you_mean(name, names),
         detail::join_names(names));
  }
  return it->second;
}

std::string describe_registered() {
  std::string out;
  for (const OptimizerInfo& info : registered()) {
    out += fmt::format("{}: {}\n", info.name, info.doc);
    for (const OptionSpec& spec : info.options) {
      const bool numeric = spec.type != OptionType::boolean;
      out += fmt::format("  {:<18} {:<8} default {:<8} {}{}\n", spec.name, option_type_name(spec.type),
                         spec.default_value.str(), spec.doc,
                         numeric && (std::isfinite(spec.range.min) || std::isfinite(spec.range.max))
                             ? " (" + spec.range.str(spec.name) + ")"
                             : std::string{});
    }
  }
  return out;
}

std::unique_ptr<Optimizer> create(std::string_view name, std::vector<ParamGroup> groups, const Options& options) {
  const OptimizerInfo info = find_optimizer(name);
  // Validated against the registered options (errors name the registered name); the
  // factory gets every option, so the registered defaults are the ones that apply.
  return info.factory(std::move(groups), resolve_options(info.name, info.options, options));
}

std::unique_ptr<Optimizer> create(std::string_view name, std::vector<Tensor> params, const Options& options) {
  return create(name, one_group(std::move(params)), options);
}

}  // namespace tg::optim
