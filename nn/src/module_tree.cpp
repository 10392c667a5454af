// Module's tree as a whole: listing every module, applying a function to each, finding
// and replacing a descendant by its dotted path.
#include <string_view>
#include <unordered_set>

#include "tapegrad/did_you_mean.hpp"
#include "tapegrad/nn/module.hpp"

namespace tg::nn {

namespace {

void collect_modules(const ModulePtr& module, const std::string& path, std::unordered_set<const Module*>& seen,
                     std::vector<NamedModule>& out) {
  if (!seen.insert(module.get()).second) return;
  out.emplace_back(path, module);
  for (const auto& [name, child] : module->named_children())
    collect_modules(child, path.empty() ? name : path + "." + name, seen, out);
}

void apply_children_first(Module& module, const std::function<void(Module&)>& fn,
                          std::unordered_set<const Module*>& seen) {
  if (!seen.insert(&module).second) return;
  for (const auto& child : module.named_children()) apply_children_first(*child.second, fn, seen);
  fn(module);
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = path.find('.', start);
    parts.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

// The module as a ModulePtr: shared ownership when a shared_ptr holds it; for a module
// on the stack, an aliasing pointer that owns nothing.
ModulePtr pointer_to(const Module& module) {
  ModulePtr self = std::const_pointer_cast<Module>(module.weak_from_this().lock());
  return self != nullptr ? self : ModulePtr(ModulePtr{}, const_cast<Module*>(&module));
}

}  // namespace

std::vector<NamedModule> Module::named_modules() const {
  std::unordered_set<const Module*> seen;
  std::vector<NamedModule> out;
  collect_modules(pointer_to(*this), "", seen, out);
  return out;
}

std::vector<ModulePtr> Module::modules() const {
  std::vector<ModulePtr> out;
  for (auto& entry : named_modules()) out.push_back(std::move(entry.second));
  return out;
}

Module& Module::apply(const std::function<void(Module&)>& fn) {
  TG_CHECK(static_cast<bool>(fn), "apply: the function is empty (in {})", name());
  std::unordered_set<const Module*> seen;
  apply_children_first(*this, fn, seen);
  return *this;
}

std::size_t Module::child_index(const std::string& child, const std::string& path, const char* function) const {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < children_.size(); ++i) {
    if (children_[i].first == child) return i;
    names.push_back(children_[i].first);
  }
  std::string listed;
  for (const auto& n : names) listed += (listed.empty() ? "'" : ", '") + n + "'";
  fail("{}: '{}': {} has no child '{}'{}; its children: {}", function, path, name(), child, did_you_mean(child, names),
       listed.empty() ? "none" : listed);
}

ModulePtr Module::submodule(const std::string& path) const {
  if (path.empty()) return pointer_to(*this);
  const Module* module = this;
  ModulePtr found;
  for (const std::string& part : split_path(path)) {
    found = module->children_[module->child_index(part, path, "submodule")].second;
    module = found.get();
  }
  return found;
}

ModulePtr Module::replace_module(const std::string& path, ModulePtr module) {
  TG_CHECK(!path.empty(), "replace_module: the path is empty; name a descendant of {} (\"features.2\")", name());
  const std::size_t dot = path.rfind('.');
  const ModulePtr parent_holder = dot == std::string::npos ? nullptr : submodule(path.substr(0, dot));
  Module& parent = parent_holder ? *parent_holder : *this;
  const std::string child = dot == std::string::npos ? path : path.substr(dot + 1);
  const std::size_t index = parent.child_index(child, path, "replace_module");
  parent.check_child(child, module, "replace_module");
  parent.replacing_child(child, module);
  ModulePtr old = std::move(parent.children_[index].second);
  parent.children_[index].second = std::move(module);
  return old;
}

void Module::replacing_child(const std::string&, const ModulePtr&) {}

}  // namespace tg::nn
