// Minimal consumer of an installed tapegrad: d/dx sum(x*x) == 2x.
#include <tapegrad/tapegrad.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

int main() {
  auto x = tg::from_vector(std::vector<double>{1, 2, 3}, tg::Shape{3});
  x.requires_grad_();
  auto y = tg::sum(x * x);
  y.backward();

  const auto xs = x.to_vector<double>();
  const auto gs = x.grad().to_vector<double>();
  bool ok = gs.size() == xs.size();
  std::printf("x.grad() =");
  for (std::size_t i = 0; i < gs.size(); ++i) {
    std::printf(" %g", gs[i]);
    if (i < xs.size() && std::abs(gs[i] - 2 * xs[i]) > 1e-12) ok = false;
  }
  // Tensor methods (declared in core, defined in the ops library) and braced lists link
  // from the installed prefix too.
  const double g1 = tg::grad(x.square().sum(), {x})[0][1].item();
  std::printf("\ngrad(x.square().sum(), {x})[0][1] = %g", g1);
  if (g1 != 4) ok = false;
  std::printf("\n%s\n", ok ? "install consumer: OK" : "install consumer: FAILED (expected 2*x)");
  return ok ? 0 : 1;
}
