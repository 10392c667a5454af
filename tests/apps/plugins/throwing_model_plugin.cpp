// A faulty plug-in for the tests: its model's factory throws a plain std::runtime_error
// (not a tg::Error), as a user's code may. Building the model must be a clear error
// naming the model, with exit status 2 from the command line.
#include <stdexcept>

#include <tapegrad/nn/nn.hpp>

namespace {

tg::nn::ModulePtr make_broken_net(const tg::nn::ModelOptions&) {
  throw std::runtime_error("broken_net: this factory always fails");
}

// It reads no dropout: `tapegrad train` must then default --dropout to 0, or the run would
// stop at the option check before the factory is called.
TAPEGRAD_REGISTER_MODEL_INFO((tg::nn::ModelInfo{
    .name = "broken_net", .factory = make_broken_net, .doc = "a model whose factory throws", .uses_dropout = false}));

}  // namespace
