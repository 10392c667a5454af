#include "tapegrad/nn/module_list.hpp"

#include <algorithm>
#include <utility>

#include "tapegrad/did_you_mean.hpp"

namespace tg::nn {

namespace {

// index in [-size, size) (or [-size, size] when one past the end is allowed) as a position.
std::size_t position(std::int64_t index, std::size_t size, bool allow_end, const char* function) {
  const auto n = static_cast<std::int64_t>(size);
  const std::int64_t resolved = index < 0 ? index + n : index;
  TG_CHECK(resolved >= 0 && (allow_end ? resolved <= n : resolved < n),
           "ModuleList::{}: index {} is out of range for {} module{} (expected {} to {})", function, index, size,
           size == 1 ? "" : "s", -n, allow_end ? n : n - 1);
  return static_cast<std::size_t>(resolved);
}

}  // namespace

Tensor ModuleContainer::forward(const Tensor&) { fail_forward_arity(1); }

Tensor ModuleContainer::forward_inputs(std::span<const Tensor> inputs) { fail_forward_arity(inputs.size()); }

ModuleList::ModuleList(const std::vector<ModulePtr>& modules) { extend(modules); }

void ModuleList::rebuild(std::vector<ModulePtr> modules, const char* function) {
  std::vector<NamedModule> named;
  for (std::size_t i = 0; i < modules.size(); ++i) named.emplace_back(std::to_string(i), std::move(modules[i]));
  set_children(std::move(named), function);
}

ModuleList& ModuleList::push_back(ModulePtr module) { return insert(static_cast<std::int64_t>(size()), std::move(module)); }

ModuleList& ModuleList::extend(const std::vector<ModulePtr>& modules) {
  std::vector<ModulePtr> all = children();
  all.insert(all.end(), modules.begin(), modules.end());
  rebuild(std::move(all), "ModuleList::extend");
  return *this;
}

ModuleList& ModuleList::insert(std::int64_t index, ModulePtr module) {
  std::vector<ModulePtr> all = children();
  const std::size_t at = position(index, all.size(), true, "insert");
  all.insert(all.begin() + static_cast<std::ptrdiff_t>(at), std::move(module));
  rebuild(std::move(all), "ModuleList::insert");
  return *this;
}

const ModulePtr& ModuleList::at(std::int64_t index) const {
  return named_children()[position(index, size(), false, "at")].second;
}

ModuleDict::ModuleDict(const std::vector<NamedModule>& modules) {
  for (const auto& [key, module] : modules) insert(key, module);
}

std::vector<std::string> ModuleDict::keys() const {
  std::vector<std::string> out;
  for (const auto& entry : named_children()) out.push_back(entry.first);
  return out;
}

bool ModuleDict::contains(const std::string& key) const {
  const auto& all = named_children();
  return std::any_of(all.begin(), all.end(), [&](const NamedModule& entry) { return entry.first == key; });
}

std::size_t ModuleDict::index_of(const std::string& key, const char* function) const {
  const auto& all = named_children();
  for (std::size_t i = 0; i < all.size(); ++i)
    if (all[i].first == key) return i;
  const std::vector<std::string> names = keys();
  std::string listed;
  for (const auto& n : names) listed += (listed.empty() ? "'" : ", '") + n + "'";
  fail("ModuleDict::{}: unknown key '{}'{}; keys: {}", function, key, did_you_mean(key, names),
       listed.empty() ? "none" : listed);
}

const ModulePtr& ModuleDict::at(const std::string& key) const { return named_children()[index_of(key, "at")].second; }

ModuleDict& ModuleDict::insert(const std::string& key, ModulePtr module) {
  TG_CHECK(!contains(key), "ModuleDict::insert: key '{}' is already there (update replaces it)", key);
  std::vector<NamedModule> all = named_children();
  all.emplace_back(key, std::move(module));
  set_children(std::move(all), "ModuleDict::insert");
  return *this;
}

ModuleDict& ModuleDict::update(const std::string& key, ModulePtr module) { return update({{key, std::move(module)}}); }

ModuleDict& ModuleDict::update(const std::vector<NamedModule>& modules) {
  std::vector<NamedModule> all = named_children();
  for (const NamedModule& added : modules) {
    const auto it =
        std::find_if(all.begin(), all.end(), [&](const NamedModule& entry) { return entry.first == added.first; });
    if (it != all.end())
      it->second = added.second;
    else
      all.push_back(added);
  }
  set_children(std::move(all), "ModuleDict::update");
  return *this;
}

ModulePtr ModuleDict::erase(const std::string& key) {
  std::vector<NamedModule> all = named_children();
  const std::size_t index = index_of(key, "erase");
  ModulePtr removed = all[index].second;
  all.erase(all.begin() + static_cast<std::ptrdiff_t>(index));
  set_children(std::move(all), "ModuleDict::erase");
  return removed;
}

}  // namespace tg::nn
