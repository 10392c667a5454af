#pragma once
// ModuleList and ModuleDict (as PyTorch's nn.ModuleList / nn.ModuleDict): containers
// that register modules so their parameters are found (named_parameters, state_dict,
// to, train) under dotted names, without running them: they have no forward, the
// module that holds one calls its elements.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "tapegrad/nn/module.hpp"

namespace tg::nn {

// The common part: forward is an error that says to call the elements.
class ModuleContainer : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  Tensor forward_inputs(std::span<const Tensor> inputs) override;
  std::vector<std::size_t> forward_arities() const override { return {}; }

  std::size_t size() const { return named_children().size(); }
  bool empty() const { return named_children().empty(); }
};

// Modules by position; the children are named "0", "1", ... and renamed when a module is
// inserted, so a ModuleList's parameter names follow its order, as in PyTorch.
// Iterating yields each ModulePtr:  for (const ModulePtr& m : *list) x = (*m)(x);
class ModuleList : public ModuleContainer {
 public:
  ModuleList() = default;
  explicit ModuleList(const std::vector<ModulePtr>& modules);
  std::string type_name() const override { return "ModuleList"; }

  ModuleList& push_back(ModulePtr module);
  ModuleList& extend(const std::vector<ModulePtr>& modules);
  // Inserts module before position index (0 <= index <= size; negative counts from the
  // end as in Python, -1 being before the last).
  ModuleList& insert(std::int64_t index, ModulePtr module);

  // The module at index (negative counts from the end); an error when out of range.
  const ModulePtr& at(std::int64_t index) const;
  const ModulePtr& operator[](std::int64_t index) const { return at(index); }

  class Iterator {
   public:
    using value_type = ModulePtr;
    using difference_type = std::ptrdiff_t;
    Iterator() = default;
    explicit Iterator(std::vector<NamedModule>::const_iterator it) : it_(it) {}
    const ModulePtr& operator*() const { return it_->second; }
    const ModulePtr* operator->() const { return &it_->second; }
    Iterator& operator++() {
      ++it_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++it_;
      return before;
    }
    bool operator==(const Iterator&) const = default;

   private:
    std::vector<NamedModule>::const_iterator it_{};
  };
  Iterator begin() const { return Iterator(named_children().begin()); }
  Iterator end() const { return Iterator(named_children().end()); }

 private:
  // Makes modules the children, named "0", "1", ... (nothing changes when it throws).
  void rebuild(std::vector<ModulePtr> modules, const char* function);
};

// Modules by name, in insertion order. Names follow register_module's rule (non-empty,
// no '.').
class ModuleDict : public ModuleContainer {
 public:
  ModuleDict() = default;
  explicit ModuleDict(const std::vector<NamedModule>& modules);
  std::string type_name() const override { return "ModuleDict"; }

  bool contains(const std::string& key) const;
  // The module named key; an unknown key is an error listing the keys, with a
  // did-you-mean for a near miss.
  const ModulePtr& at(const std::string& key) const;
  const ModulePtr& operator[](const std::string& key) const { return at(key); }
  std::vector<std::string> keys() const;
  std::vector<ModulePtr> values() const { return children(); }
  const std::vector<NamedModule>& items() const { return named_children(); }

  // Adds a new key at the end; a key already there is an error (update replaces).
  ModuleDict& insert(const std::string& key, ModulePtr module);
  // Replaces the module of an existing key in its place, or adds a new key at the end.
  ModuleDict& update(const std::string& key, ModulePtr module);
  ModuleDict& update(const std::vector<NamedModule>& modules);
  // Removes key and returns its module; an unknown key is an error as in at().
  ModulePtr erase(const std::string& key);

 private:
  std::size_t index_of(const std::string& key, const char* function) const;
};

}  // namespace tg::nn
