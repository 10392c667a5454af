#include "gradient_sum.hpp"

#include "tapegrad/autograd.hpp"
#include "tapegrad/parallel_for.hpp"
#include "tapegrad/record_node.hpp"
#include "tapegrad/tensor_iteration.hpp"

namespace tg::detail {

namespace {

// d(a + b)/da = d(a + b)/db = 1: the incoming gradient goes to both inputs unchanged.
class AddGradientsNode final : public Node {
 public:
  const char* name() const override { return "accumulate_grad"; }
  TensorList apply(TensorList&& grads) override {
    TensorList out;
    out.push_back(grads[0]);
    out.push_back(grads[0]);
    return out;
  }
};

template <class T>
void add_contiguous(T* out, const T* a, const T* b, std::int64_t n) {
  parallel_for(n, kGrainElements, [=](std::int64_t begin, std::int64_t end) {
#pragma omp simd
    for (std::int64_t i = begin; i < end; ++i) out[i] = a[i] + b[i];
  });
}

}  // namespace

Tensor add_gradients(const Tensor& a, const Tensor& b, const char* what) {
  TG_CHECK(a.shape() == b.shape() && a.dtype() == b.dtype(),
           "backward: two gradients reaching {} differ: shape {} dtype {} and shape {} dtype {}", what,
           a.shape().str(), dtype_name(a.dtype()), b.shape().str(), dtype_name(b.dtype()));
  TG_CHECK(is_floating(a.dtype()), "backward: a gradient reaching {} has dtype {}, expected f32 or f64",
           what, dtype_name(a.dtype()));
  Tensor out = empty(a.shape(), a.dtype());
  dispatch_floating(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if (a.is_contiguous() && b.is_contiguous()) {
      add_contiguous(out.data<T>(), a.data<T>(), b.data<T>(), a.numel());
      return;
    }
    for_each_strided<3>(out.shape(), strided_operands<3>(out.shape(), {&out, &a, &b}),
                        [](std::array<char*, 3> p, std::array<std::int64_t, 3> st, std::int64_t n) {
                          for (std::int64_t i = 0; i < n; ++i)
                            *reinterpret_cast<T*>(p[0] + i * st[0]) =
                                *reinterpret_cast<const T*>(p[1] + i * st[1]) +
                                *reinterpret_cast<const T*>(p[2] + i * st[2]);
                        });
  });
  record_node<AddGradientsNode>(out, {&a, &b});
  return out;
}

}  // namespace tg::detail
