#pragma once
#include <cstdint>

#include "tapegrad/nn/module.hpp"

namespace tg::nn {

// Joins dims start_dim.. into one: [N, C, H, W] -> [N, C H W] with start_dim 1 (the
// default, which keeps the batch dim). A view when the input is contiguous.
class Flatten : public Module {
 public:
  explicit Flatten(std::int64_t start_dim = 1);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Flatten"; }
  std::string extra_repr() const override;

 private:
  std::int64_t start_dim_;
};

}  // namespace tg::nn
