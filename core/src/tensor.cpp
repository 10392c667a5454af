#include "tapegrad/tensor.hpp"

#include <algorithm>
#include <cmath>

#include "tapegrad/autograd.hpp"
#include "autograd_meta.hpp"
#include "small_blocks.hpp"
#include "tapegrad/tensor_iteration.hpp"

namespace tg {

TensorImpl::TensorImpl(std::shared_ptr<Storage> s, Shape sh, Shape st, std::int64_t off, DType dt)
    : storage(std::move(s)), shape(sh), strides(st), offset(off), dtype(dt) {}

TensorImpl::~TensorImpl() {
  if (autograd && autograd->grad_fn) release_node(std::move(autograd->grad_fn));
}

bool Tensor::is_contiguous() const {
  const Shape& sh = shape();
  const Shape& st = strides();
  std::int64_t expected = 1;
  for (int i = sh.size() - 1; i >= 0; --i) {
    if (sh[i] != 1 && st[i] != expected) return false;
    expected *= sh[i];
  }
  return true;
}

void Tensor::check_dtype(DType expected, const char* what) const {
  TG_CHECK(dtype() == expected, "{}: tensor has dtype {}, expected {}", what, dtype_name(dtype()),
           dtype_name(expected));
}

void copy_elements(const Tensor& dst, const Tensor& src) {
  dispatch_dtype(dst.dtype(), [&](auto d) {
    using D = decltype(d);
    dispatch_dtype(src.dtype(), [&](auto s) {
      using S = decltype(s);
      for_each_strided<2>(dst.shape(), strided_operands<2>(dst.shape(), {&dst, &src}),
                          [](std::array<char*, 2> p, std::array<std::int64_t, 2> st, std::int64_t n) {
                            for (std::int64_t i = 0; i < n; ++i)
                              *reinterpret_cast<D*>(p[0] + i * st[0]) =
                                  static_cast<D>(*reinterpret_cast<const S*>(p[1] + i * st[1]));
                          });
    });
  });
}

double Tensor::item() const {
  TG_CHECK(numel() == 1, "item: tensor of shape {} has {} elements, expected 1", shape().str(),
           numel());
  return dispatch_dtype(dtype(), [&](auto t) {
    using T = decltype(t);
    return static_cast<double>(*static_cast<const T*>(raw_data()));
  });
}

template <class T>
std::vector<T> Tensor::to_vector() const {
  std::vector<T> out(static_cast<std::size_t>(numel()));
  if (out.empty()) return out;
  Tensor dst = empty(shape(), dtype_of_v<T>);
  copy_elements(dst, *this);
  const T* p = dst.data<T>();
  std::copy(p, p + out.size(), out.begin());
  return out;
}
template std::vector<float> Tensor::to_vector<float>() const;
template std::vector<double> Tensor::to_vector<double>() const;
template std::vector<std::int64_t> Tensor::to_vector<std::int64_t>() const;

Tensor& Tensor::fill_(double value) {
  check_inplace_allowed(*this, "fill_");
  // Converting NaN, a fraction's excess or anything outside [-2^63, 2^63) to an integer
  // is undefined behaviour, not a value.
  TG_CHECK(is_floating(dtype()) || (value == std::trunc(value) && value >= -0x1p63 && value < 0x1p63),
           "fill_: value {} does not fit dtype {}: an integer in [-2^63, 2^63) is expected", value,
           dtype_name(dtype()));
  Tensor self = *this;
  dispatch_dtype(dtype(), [&](auto t) {
    using T = decltype(t);
    const T v = static_cast<T>(value);
    for_each_strided<1>(shape(), strided_operands<1>(shape(), {&self}), [v](std::array<char*, 1> p, std::array<std::int64_t, 1> st, std::int64_t n) {
      for (std::int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * st[0]) = v;
    });
  });
  bump_version();
  return *this;
}

Tensor& Tensor::zero_() {
  check_inplace_allowed(*this, "zero_");
  return fill_(0.0);
}

Tensor& Tensor::copy_(const Tensor& src) {
  check_inplace_allowed(*this, "copy_");
  TG_CHECK(broadcast_shapes(shape(), src.shape(), "copy_") == shape(),
           "copy_: source of shape {} does not broadcast to destination shape {}", src.shape().str(),
           shape().str());
  if (src.storage() == storage() && !(src.shape() == shape() && src.strides() == strides() &&
                                      src.offset() == offset() && src.dtype() == dtype())) {
    copy_elements(*this, src.clone());  // overlapping memory: go through a copy
  } else {
    copy_elements(*this, src);
  }
  bump_version();
  return *this;
}

// One pass computes the strides and the size, with the checks of Shape::numel and
// contiguous_strides (whose product is the same) in the same order of precedence: a
// negative dim, then an overflowing count, then an overflowing byte count.
Tensor empty(const Shape& shape, DType dtype) {
  Shape strides;
  strides.resize(shape.size());
  std::int64_t numel = 1;
  bool negative = false, overflow = false, has_zero = false;
  for (int i = shape.size() - 1; i >= 0; --i) {
    const std::int64_t d = shape[i];
    negative = negative || d < 0;
    has_zero = has_zero || d == 0;
    strides[i] = numel;
    overflow = __builtin_mul_overflow(numel, std::max<std::int64_t>(d, 1), &numel) || overflow;
  }
  TG_CHECK(!negative, "empty: negative dimension in shape {}", shape.str());
  if (overflow) [[unlikely]]
    (void)shape.numel();  // throws naming the shape
  if (has_zero) numel = 0;
  std::int64_t nbytes = 0;
  TG_CHECK(!__builtin_mul_overflow(numel, static_cast<std::int64_t>(dtype_size(dtype)), &nbytes),
           "empty: shape {} of {} needs more than 2^63 bytes", shape.str(), dtype_name(dtype));
  auto storage = Storage::allocate(static_cast<std::size_t>(nbytes));
  return Tensor(std::allocate_shared<TensorImpl>(small_blocks::Allocator<TensorImpl>{}, std::move(storage), shape, strides,
                                                0, dtype));
}

Tensor make_view(const Tensor& base, const Shape& shape, const Shape& strides, std::int64_t offset) {
  return Tensor(std::allocate_shared<TensorImpl>(small_blocks::Allocator<TensorImpl>{}, base.storage(), shape, strides,
                                                offset, base.dtype()));
}

Tensor Tensor::detach() const {
  return make_view(*this, shape(), strides(), offset());
}

}  // namespace tg
