// The comparison API is one family, named as PyTorch's, declared in its own header.
#include <doctest/doctest.h>

#include <vector>

#include <tapegrad/ops/comparisons.hpp>

TEST_CASE("comparisons: gt and le with a value give 0/1 masks in the input dtype, from comparisons.hpp alone") {
  const tg::Tensor x = tg::from_vector(std::vector<double>{0.2, 0.5, 0.9}, {3});
  const tg::Tensor mask = tg::gt(x, 0.5);
  CHECK(mask.dtype() == tg::f64);
  CHECK(mask.to_vector<double>() == std::vector<double>{0, 0, 1});
  CHECK(tg::le(x, 0.5).to_vector<double>() == std::vector<double>{1, 1, 0});
}
