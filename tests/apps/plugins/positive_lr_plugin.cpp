// A plug-in whose optimizer requires lr > 0: `tapegrad train` with the default schedule
// must run it to the end (the cosine's floor is above 0).
#include "positive_lr_sgd.hpp"

namespace {

TAPEGRAD_REGISTER_OPTIMIZER(tg::test::PositiveLrSgd, "positive_lr_sgd", "SGD whose lr must be > 0 (a test plug-in)");

}  // namespace
