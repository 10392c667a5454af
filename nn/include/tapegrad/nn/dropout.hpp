#pragma once
#include "tapegrad/nn/module.hpp"
#include "tapegrad/random.hpp"

namespace tg::nn {

// Inverted dropout (Srivastava et al. 2014; docs/formulas.md, Regularization): in training each element is zeroed with
// probability p and survivors are scaled by 1 / (1 - p), so the expected output is the
// input; in eval the input tensor itself is returned. Masks come from gen (the
// thread's default generator when null, looked up at each call).
class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5, Generator* gen = nullptr);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Dropout"; }
  std::string extra_repr() const override;
  double p() const { return p_; }
  Generator* generator() const { return gen_; }  // null: the thread's default

 private:
  double p_;
  Generator* gen_;  // not owned, must outlive the module; null: the thread's default
};

}  // namespace tg::nn
