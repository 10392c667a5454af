#include <tapegrad/train/diagnostics/parameter_label.hpp>

namespace tg::train {

std::string parameter_label(const nn::Module& model, const std::string& name) {
  const nn::Module* module = &model;
  std::string path, rest = name;
  // Child by child, matching whole names followed by a dot (a child's name may hold dots).
  for (bool moved = true; moved;) {
    moved = false;
    for (const auto& [child_name, child] : module->named_children()) {
      if (rest.size() <= child_name.size() + 1 || !rest.starts_with(child_name) || rest[child_name.size()] != '.')
        continue;
      path += (path.empty() ? "" : ".") + child_name;
      rest = rest.substr(child_name.size() + 1);
      module = child.get();
      moved = true;
      break;
    }
  }
  const std::string typed = module->type_name() + "." + rest;
  return path.empty() ? typed : path + " " + typed;
}

}  // namespace tg::train
