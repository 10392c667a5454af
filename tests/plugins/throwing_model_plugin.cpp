// A faulty plug-in for the tests: its model's factory throws a plain std::runtime_error
// (not a tg::Error), as a user's code may. Building the model must be a clear error
// naming the model, with exit status 2 from the command line.
#include <stdexcept>

#include <tapegrad/nn/nn.hpp>

namespace {

tg::nn::ModulePtr make_broken_net(const tg::nn::ModelOptions&) {
  throw std::runtime_error("broken_net: this factory always fails");
}

TAPEGRAD_REGISTER_MODEL("broken_net", make_broken_net, "a model whose factory throws");

}  // namespace
