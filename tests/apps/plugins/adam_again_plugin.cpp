// A faulty plug-in for the tests: it registers "adam", a built-in's name. Loading it must
// be a clear error, not an exception thrown from a static initializer inside dlopen().
#include <tapegrad/optim/optim.hpp>

namespace {

TAPEGRAD_REGISTER_OPTIMIZER(tg::optim::Sgd, "adam", "plain SGD under a name that is taken");

}  // namespace
