#include "tapegrad/nn/dropout.hpp"

#include "tapegrad/ops/random_ops.hpp"

namespace tg::nn {

Dropout::Dropout(double p, Generator* gen) : p_(p), gen_(gen) {
  TG_CHECK(p >= 0 && p <= 1, "Dropout: p must be in [0, 1], got {}", p);
}

Tensor Dropout::forward(const Tensor& x) { return is_training() ? dropout(x, p_, true, gen_) : x; }

std::string Dropout::extra_repr() const { return fmt::format("p={}", p_); }

}  // namespace tg::nn
