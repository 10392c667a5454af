// A faulty plug-in for the tests: it registers the model "twice_net" two times. Loading it
// must be a clear error naming the plug-in, not an exception thrown from a static
// initializer inside dlopen().
#include <tapegrad/nn/nn.hpp>

namespace {

tg::nn::ModulePtr make_twice_net(const tg::nn::ModelOptions& options) {
  auto model = std::make_shared<tg::nn::Sequential>();
  model->push_back(std::make_shared<tg::nn::Flatten>());
  model->push_back(std::make_shared<tg::nn::Linear>(
      options.input_shape[0] * options.input_shape[1] * options.input_shape[2], options.classes));
  return model;
}

TAPEGRAD_REGISTER_MODEL("twice_net", make_twice_net, "a linear classifier");
TAPEGRAD_REGISTER_MODEL("twice_net", make_twice_net, "the same name again");

}  // namespace
