// ModuleList, ModuleDict and the module tree: named_modules, apply, submodule,
// replace_module, and their names in named_parameters / state_dict / checkpoints.
#include <doctest/doctest.h>

#include <filesystem>

#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

using tg::Tensor;
using namespace tg::nn;
using std::make_shared;

namespace {

std::vector<std::string> names_of(const auto& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.first);
  return out;
}

// A model holding a ModuleList of blocks and a ModuleDict of heads, run by hand.
class MultiHead : public Module {
 public:
  MultiHead() {
    blocks = register_module("blocks", make_shared<ModuleList>(std::vector<ModulePtr>{
                                           make_shared<Linear>(3, 4), make_shared<ReLU>(), make_shared<Linear>(4, 4)}));
    heads = register_module("heads", make_shared<ModuleDict>(std::vector<NamedModule>{
                                          {"cls", make_shared<Linear>(4, 2)}, {"reg", make_shared<Linear>(4, 1)}}));
  }
  Tensor forward(const Tensor& x) override {
    Tensor h = x;
    for (const ModulePtr& block : *blocks) h = (*block)(h);
    return (*heads->at("cls"))(h);
  }
  std::string type_name() const override { return "MultiHead"; }
  std::shared_ptr<ModuleList> blocks;
  std::shared_ptr<ModuleDict> heads;
};

std::shared_ptr<Linear> linear_at(const Module& m, const std::string& path) {
  return std::dynamic_pointer_cast<Linear>(m.submodule(path));
}

}  // namespace

TEST_CASE("nn ModuleList: indexing, iteration, push_back, extend, insert renumber the children") {
  auto a = make_shared<Linear>(2, 2);
  auto b = make_shared<ReLU>();
  auto c = make_shared<Tanh>();
  auto d = make_shared<Sigmoid>();
  ModuleList list({a, b});
  CHECK(list.size() == 2);
  CHECK(list[0] == a);
  CHECK(list[-1] == b);
  list.push_back(c);
  list.insert(0, d);  // d, a, b, c
  CHECK(names_of(list.named_children()) == std::vector<std::string>{"0", "1", "2", "3"});
  std::vector<ModulePtr> seen(list.begin(), list.end());
  CHECK(seen == std::vector<ModulePtr>{d, a, b, c});
  list.insert(-1, make_shared<Flatten>());  // before the last
  CHECK(list.at(3)->type_name() == "Flatten");
  CHECK(list.at(4) == c);
  list.extend({make_shared<ReLU>(), make_shared<ReLU>()});
  CHECK(list.size() == 7);
  // The parameters follow the list order: a moved from "0" to "1".
  CHECK(names_of(list.named_parameters()) == std::vector<std::string>{"1.weight", "1.bias"});
  CHECK(list.to_string().find("(1): Linear(2, 2)") != std::string::npos);
}

TEST_CASE("nn ModuleList bad uses are errors") {
  ModuleList list({make_shared<ReLU>()});
  CHECK_ERROR(list.at(1), "ModuleList::at: index 1 is out of range for 1 module (expected -1 to 0)");
  CHECK_ERROR(list[-2], "ModuleList::at: index -2 is out of range");
  CHECK_ERROR(list.insert(3, make_shared<ReLU>()), "ModuleList::insert: index 3 is out of range for 1 module");
  CHECK_ERROR(list.push_back(nullptr), "ModuleList::insert: '1' is a null module");
  CHECK_ERROR(list.extend({make_shared<ReLU>(), nullptr}), "ModuleList::extend: '2' is a null module");
  CHECK(list.size() == 1);  // unchanged by the failed calls
  auto self = make_shared<ModuleList>();
  auto outer = make_shared<ModuleList>(std::vector<ModulePtr>{self});
  CHECK_ERROR(self->push_back(outer), "would make a cycle");
  CHECK_ERROR(list(tg::ones({1})), "ModuleList(): a container has no forward (given 1 input); call its modules");
  CHECK_ERROR(list(tg::ones({1}), tg::ones({1})), "ModuleList(): a container has no forward (given 2 inputs)");
  CHECK(list.forward_arities().empty());
}

TEST_CASE("nn ModuleDict: insertion order, contains, at, keys, update in place, erase") {
  auto cls = make_shared<Linear>(4, 2);
  auto reg = make_shared<Linear>(4, 1);
  ModuleDict heads({{"cls", cls}, {"reg", reg}});
  CHECK(heads.keys() == std::vector<std::string>{"cls", "reg"});
  CHECK(heads.contains("cls"));
  CHECK(!heads.contains("box"));
  CHECK(heads["reg"] == reg);
  CHECK(heads.values() == std::vector<ModulePtr>{cls, reg});
  CHECK(names_of(heads.items()) == std::vector<std::string>{"cls", "reg"});
  heads.insert("box", make_shared<Linear>(4, 4));
  auto cls2 = make_shared<Linear>(4, 3);
  heads.update("cls", cls2);  // keeps its place
  CHECK(heads.keys() == std::vector<std::string>{"cls", "reg", "box"});
  CHECK(heads.at("cls") == cls2);
  heads.update({{"seg", make_shared<ReLU>()}, {"reg", cls}});
  CHECK(heads.keys() == std::vector<std::string>{"cls", "reg", "box", "seg"});
  CHECK(heads.at("reg") == cls);
  CHECK(heads.erase("box")->name() == "Linear(4, 4)");
  CHECK(heads.keys() == std::vector<std::string>{"cls", "reg", "seg"});
  CHECK(names_of(heads.named_parameters()) ==
        std::vector<std::string>{"cls.weight", "cls.bias", "reg.weight", "reg.bias"});
  CHECK(heads.to_string() ==
        "ModuleDict(\n  (cls): Linear(4, 3)\n  (reg): Linear(4, 2)\n  (seg): ReLU()\n)");
}

TEST_CASE("nn ModuleDict bad uses are errors") {
  ModuleDict heads({{"classifier", make_shared<ReLU>()}, {"regressor", make_shared<ReLU>()}});
  CHECK_ERROR(heads.at("clasifier"),
              "ModuleDict::at: unknown key 'clasifier' (did you mean 'classifier'?); keys: 'classifier', 'regressor'");
  CHECK_ERROR(heads.erase("box"), "ModuleDict::erase: unknown key 'box'; keys: 'classifier', 'regressor'");
  CHECK_ERROR(ModuleDict().at("x"), "ModuleDict::at: unknown key 'x'; keys: none");
  CHECK_ERROR(heads.insert("classifier", make_shared<ReLU>()),
              "ModuleDict::insert: key 'classifier' is already there (update replaces it)");
  CHECK_ERROR(heads.insert("a.b", make_shared<ReLU>()), "ModuleDict::insert: name 'a.b' contains '.'");
  CHECK_ERROR(heads.insert("", make_shared<ReLU>()), "ModuleDict::insert: the name is empty");
  CHECK_ERROR(heads.update("x", nullptr), "ModuleDict::update: 'x' is a null module");
  CHECK(heads.keys().size() == 2);
  CHECK_ERROR(heads(tg::ones({1})), "ModuleDict(): a container has no forward");
}

TEST_CASE("nn containers: dotted parameter names, state_dict and a checkpoint round trip") {
  tg::manual_seed(1);
  auto model = make_shared<MultiHead>();
  CHECK(names_of(model->named_parameters()) ==
        std::vector<std::string>{"blocks.0.weight", "blocks.0.bias", "blocks.2.weight", "blocks.2.bias",
                                 "heads.cls.weight", "heads.cls.bias", "heads.reg.weight", "heads.reg.bias"});
  const Tensor x = tg::randn({2, 3});
  const std::vector<float> before = (*model)(x).to_vector<float>();
  const auto path = std::filesystem::temp_directory_path() / "tapegrad_test_containers.safetensors";
  save_checkpoint(path.string(), model->state_dict());
  tg::manual_seed(2);
  auto fresh = make_shared<MultiHead>();
  CHECK((*fresh)(x).to_vector<float>() != before);
  const Checkpoint checkpoint = load_checkpoint(path.string());
  CHECK(names_of(checkpoint.model_state).front() == "blocks.0.bias");
  fresh->load_state_dict(checkpoint.model_state);
  CHECK((*fresh)(x).to_vector<float>() == before);
  CHECK(fresh->state_dict().size() == 8);
  std::filesystem::remove(path);
}

TEST_CASE("nn named_modules lists the root as '' then each module once, depth first") {
  auto shared = make_shared<Linear>(2, 2);
  auto model = make_shared<Sequential>(std::vector<ModulePtr>{
      shared, make_shared<Sequential>(std::vector<ModulePtr>{make_shared<ReLU>(), shared})});
  const auto named = model->named_modules();
  CHECK(names_of(named) == std::vector<std::string>{"", "0", "1", "1.0"});
  CHECK(named[0].second == model);  // the root keeps its ownership
  CHECK(named[1].second == shared);
  CHECK(model->modules().size() == 4);
  // A root on the stack is listed too.
  Sequential local({make_shared<ReLU>()});
  CHECK(local.named_modules()[0].second.get() == &local);
  CHECK(local.submodule("").get() == &local);
}

TEST_CASE("nn apply calls fn on every module once, children before parents, and returns the module") {
  auto shared = make_shared<Linear>(2, 2);
  auto inner = make_shared<Sequential>(std::vector<ModulePtr>{make_shared<ReLU>(), shared});
  auto model = make_shared<Sequential>(std::vector<ModulePtr>{shared, inner});
  std::vector<std::string> order;
  Module& result = model->apply([&](Module& m) {
    order.push_back(m.name());
    if (auto* linear = dynamic_cast<Linear*>(&m)) {
      tg::NoGradGuard no_grad;
      Tensor weight = linear->weight();
      weight.fill_(0.5);
    }
  });
  CHECK(&result == model.get());
  CHECK(order == std::vector<std::string>{"Linear(2, 2)", "ReLU()", "Sequential()", "Sequential()"});
  CHECK(shared->weight().to_vector<float>() == std::vector<float>(4, 0.5f));
  CHECK_ERROR(model->apply({}), "apply: the function is empty");
}

TEST_CASE("nn replace_module swaps a child in place and forward runs the new one") {
  auto model = make_shared<Sequential>(std::vector<ModulePtr>{
      make_shared<Linear>(3, 4), make_shared<ReLU>(),
      make_shared<Sequential>(std::vector<ModulePtr>{make_shared<Linear>(4, 4), make_shared<Tanh>()})});
  const Tensor x = tg::randn({2, 3});
  const ModulePtr old = model->replace_module("2.1", make_shared<Sigmoid>());
  CHECK(old->type_name() == "Tanh");
  CHECK(model->submodule("2.1")->type_name() == "Sigmoid");
  const Tensor h = (*model->at(1))((*model->at(0))(x));
  CHECK((*model)(x).to_vector<float>() == tg::sigmoid((*linear_at(*model, "2.0"))(h)).to_vector<float>());
  // The order of the parameters is kept: the replaced Linear's come where the old ones did.
  model->replace_module("0", make_shared<Linear>(3, 4, false));
  CHECK(names_of(model->named_parameters()) == std::vector<std::string>{"0.weight", "2.0.weight", "2.0.bias"});

  // Layers that keep the child in a member run the new one.
  auto residual = make_shared<Residual>(make_shared<ReLU>());
  residual->replace_module("branch", make_shared<Tanh>());
  CHECK(residual->branch()->type_name() == "Tanh");
  CHECK((*residual)(tg::ones({2})).to_vector<float>() == std::vector<float>(2, 1.0f + std::tanh(1.0f)));
  auto depth = make_shared<StochasticDepth>(make_shared<ReLU>(), 0.5);
  depth->eval();
  depth->replace_module("branch", make_shared<Tanh>());
  CHECK(depth->branch()->type_name() == "Tanh");
  CHECK((*depth)(tg::ones({2})).to_vector<float>() == std::vector<float>(2, 1.0f + std::tanh(1.0f)));
  auto drop = make_shared<DropConnect>(make_shared<Linear>(2, 2));
  auto replacement = make_shared<Linear>(2, 2);
  drop->replace_module("linear", replacement);
  CHECK(drop->linear() == replacement);
}

TEST_CASE("nn replace_module bad uses are errors and leave the model unchanged") {
  auto inner = make_shared<Sequential>(std::vector<ModulePtr>{make_shared<ReLU>()});
  auto model = make_shared<Sequential>(std::vector<ModulePtr>{make_shared<Linear>(2, 2), inner});
  auto heads = make_shared<ModuleDict>(std::vector<NamedModule>{{"classifier", make_shared<ReLU>()}});
  model->push_back(heads);
  CHECK_ERROR(model->replace_module("", make_shared<ReLU>()), "replace_module: the path is empty");
  CHECK_ERROR(model->replace_module("2.clasifier", make_shared<ReLU>()),
              "replace_module: '2.clasifier': ModuleDict() has no child 'clasifier' (did you mean 'classifier'?); "
              "its children: 'classifier'");
  CHECK_ERROR(model->replace_module("7.0", make_shared<ReLU>()), "submodule: '7': Sequential() has no child '7'");
  CHECK_ERROR(model->replace_module("1.0", nullptr), "replace_module: '0' is a null module");
  CHECK_ERROR(model->replace_module("1.0", model), "replace_module: registering '0' in Sequential() would make a cycle");
  CHECK_ERROR(model->replace_module("1.0", inner), "would make a cycle");
  CHECK_ERROR(model->submodule("0.weight"), "submodule: '0.weight': Linear(2, 2) has no child 'weight'; its children: none");
  auto drop = make_shared<DropConnect>(make_shared<Linear>(2, 2));
  const auto linear = drop->linear();
  CHECK_ERROR(drop->replace_module("linear", make_shared<ReLU>()),
              "replace_module: DropConnect's child 'linear' must be a Linear, got ReLU()");
  CHECK(drop->linear() == linear);
  CHECK(drop->submodule("linear") == linear);
  CHECK(inner->at(0)->type_name() == "ReLU");
  // Registering a taken name stays an error that points to replace_module.
  CHECK_ERROR(inner->register_module("0", make_shared<ReLU>()),
              "register_module: '0' is already a child module of Sequential() (replace_module replaces a child)");
}
