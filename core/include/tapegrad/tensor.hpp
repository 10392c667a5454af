#pragma once
// tg::Tensor: a cheap handle to shared storage plus shape, strides, offset and dtype.
// Views (reshape of contiguous data, transpose, slice, expand) share storage.
#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tapegrad/dtype.hpp"
#include "tapegrad/error.hpp"
#include "tapegrad/shape.hpp"
#include "tapegrad/storage.hpp"
#include "tapegrad/storage.hpp"

namespace tg {

class Node;
class Tensor;
struct TensorImpl;

// Identity of a tensor (not of its storage): two handles of one tensor have the same id,
// two views of one storage do not. A key for sets of distinct tensors (parameters).
using TensorId = const TensorImpl*;
class Generator;
struct AutogradMeta;

// A single dim index for the one-dim overloads of sum, mean, max and min (x.sum(1),
// tg::mean(x, 0)). A template, so that a braced list (x.sum({0, 1}), x.sum({})) still
// means the list of dims and never a single int.
template <class I>
concept DimIndex = std::integral<I> && !std::same_as<I, bool>;

// A gradient hook sees the gradient flowing into a tensor; returning a defined tensor
// replaces it, returning an undefined one (Tensor{}) keeps it.
using GradHook = std::function<Tensor(const Tensor&)>;

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  Shape strides;            // in elements
  std::int64_t offset = 0;  // in elements
  DType dtype = DType::f32;
  std::unique_ptr<AutogradMeta> autograd;  // null until autograd touches the tensor

  TensorImpl() = default;
  TensorImpl(std::shared_ptr<Storage> s, Shape sh, Shape st, std::int64_t off, DType dt);
  ~TensorImpl();
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  // --- metadata
  bool defined() const { return impl_ != nullptr; }
  DType dtype() const { return impl().dtype; }
  const Shape& shape() const { return impl().shape; }
  const Shape& strides() const { return impl().strides; }
  std::int64_t offset() const { return impl().offset; }
  int dim() const { return impl().shape.size(); }
  std::int64_t numel() const { return impl().shape.numel(); }
  std::int64_t size(int axis) const { return impl().shape.at(axis); }
  bool is_contiguous() const;
  const std::shared_ptr<Storage>& storage() const { return impl().storage; }
  std::uint64_t version() const { return impl().storage->version(); }
  // In-place writers call this so that the tape can detect stale saved tensors.
  void bump_version() const { impl().storage->bump_version(); }
  TensorImpl* unsafe_impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  bool same(const Tensor& other) const { return impl_ == other.impl_; }
  TensorId id() const { return impl_.get(); }

  // --- element access
  void* raw_data() const {  // address of element 0 (storage + offset); inline: every kernel call asks
    const TensorImpl& i = impl();
    return static_cast<char*>(i.storage->data()) + i.offset * static_cast<std::int64_t>(dtype_size(i.dtype));
  }
  template <class T> T* data() const {
    check_dtype(dtype_of_v<T>, "data");
    return static_cast<T*>(raw_data());
  }
  double item() const;  // value of a one-element tensor, as double
  template <class T> T item() const { return static_cast<T>(item()); }
  template <class T> std::vector<T> to_vector() const;  // row-major, converting dtype

  // --- copies and conversions (recorded on the tape when they need grad)
  Tensor to(DType dtype) const;
  Tensor contiguous() const;
  Tensor clone() const;
  Tensor detach() const;  // shares storage, no history, requires_grad false

  // --- in-place (not recorded: an error on a tensor that requires grad unless under
  // NoGradGuard, see check_inplace_allowed in autograd.hpp)
  Tensor& fill_(double value);
  Tensor& zero_();
  Tensor& copy_(const Tensor& src);  // same shape (src may broadcast); converts dtype
  // Makes this leaf a handle of data's values (storage, shape, strides, offset, dtype),
  // as PyTorch's `t.data = data`: every handle of this tensor, and every container that
  // holds it (a module, an optimizer), sees the new values, and requires_grad and hooks
  // stay. A .grad() whose shape or dtype no longer matches is dropped. Not recorded.
  void set_data(const Tensor& data);

  // --- autograd
  bool requires_grad() const;
  Tensor& requires_grad_(bool on = true);
  bool is_leaf() const;
  const std::shared_ptr<Node>& grad_fn() const;
  std::uint32_t output_nr() const;
  // .grad() of a leaf (or of a tensor that called retain_grad()); undefined until a
  // backward reaches it. Reading it on any other non-leaf is an error.
  const Tensor& grad() const;
  Tensor& mutable_grad();
  void set_grad(const Tensor& grad);
  void backward(const Tensor& gradient = {}, bool retain_graph = false,
                bool create_graph = false) const;
  void register_hook(GradHook hook);
  void retain_grad();
  AutogradMeta& autograd_meta() const;  // creates it on first use

  // --- ops as methods (x.sum(), x.reshape({2, -1}), x.relu(), x[i]). Declared here and
  // defined in the ops library (ops/src/tensor_methods.cpp), each one call to the free
  // function of the same name in tapegrad/ops/*.hpp, as LibTorch's TensorBody declares
  // methods that ATen defines: core never calls them, so tapegrad_core links without ops,
  // and a program calling one links tapegrad_ops (tapegrad::tapegrad does).
  // Reductions (tapegrad/ops/reduce.hpp); a dim list reduces those dims.
  Tensor sum() const;
  Tensor sum(const std::vector<std::int64_t>& dims, bool keepdim = false) const;
  template <DimIndex I> Tensor sum(I dim, bool keepdim = false) const { return sum(std::vector<std::int64_t>{static_cast<std::int64_t>(dim)}, keepdim); }
  Tensor mean() const;
  Tensor mean(const std::vector<std::int64_t>& dims, bool keepdim = false) const;
  template <DimIndex I> Tensor mean(I dim, bool keepdim = false) const { return mean(std::vector<std::int64_t>{static_cast<std::int64_t>(dim)}, keepdim); }
  Tensor max() const;
  Tensor max(const std::vector<std::int64_t>& dims, bool keepdim = false) const;
  template <DimIndex I> Tensor max(I dim, bool keepdim = false) const { return max(std::vector<std::int64_t>{static_cast<std::int64_t>(dim)}, keepdim); }
  Tensor min() const;
  Tensor min(const std::vector<std::int64_t>& dims, bool keepdim = false) const;
  template <DimIndex I> Tensor min(I dim, bool keepdim = false) const { return min(std::vector<std::int64_t>{static_cast<std::int64_t>(dim)}, keepdim); }
  Tensor argmax() const;
  Tensor argmax(std::int64_t dim, bool keepdim = false) const;
  Tensor argmin() const;
  Tensor argmin(std::int64_t dim, bool keepdim = false) const;
  // Shape ops and views (tapegrad/ops/views.hpp, shape_ops.hpp).
  Tensor reshape(const std::vector<std::int64_t>& shape) const;
  Tensor view(const std::vector<std::int64_t>& shape) const;
  Tensor t() const;  // transpose of a 2-D tensor; a 0-D or 1-D tensor is returned as is
  Tensor transpose(std::int64_t dim0, std::int64_t dim1) const;
  Tensor permute(const std::vector<std::int64_t>& dims) const;
  Tensor flatten(std::int64_t start_dim = 0, std::int64_t end_dim = -1) const;
  Tensor squeeze(std::int64_t dim) const;
  Tensor unsqueeze(std::int64_t dim) const;
  Tensor expand(const Shape& shape) const;
  // Indexing (tapegrad/ops/views.hpp): negative indices count from the end.
  Tensor slice(std::int64_t dim, std::int64_t start, std::int64_t end, std::int64_t step = 1) const;
  Tensor select(std::int64_t dim, std::int64_t index) const;
  Tensor operator[](std::int64_t index) const;  // select(0, index)
  Tensor index_select(std::int64_t dim, const Tensor& indices) const;
  // Elementwise (tapegrad/ops/elementwise.hpp), activations, softmax, matmul.
  Tensor neg() const;
  Tensor abs() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor square() const;
  Tensor pow(double exponent) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor clamp(double lo, double hi) const;
  Tensor relu() const;
  Tensor sigmoid() const;
  Tensor tanh() const;
  Tensor softmax(std::int64_t dim = -1) const;
  Tensor log_softmax(std::int64_t dim = -1) const;
  Tensor matmul(const Tensor& other) const;

 private:
  TensorImpl& impl() const {
    if (!impl_) fail("tensor: use of an undefined tensor");
    return *impl_;
  }
  void check_dtype(DType expected, const char* what) const;
  std::shared_ptr<TensorImpl> impl_;
};

// The arithmetic operators (a + b, x * 2.0, -x) are ops: tapegrad/ops/operators.hpp.

// Fresh contiguous tensor with uninitialized values.
Tensor empty(const Shape& shape, DType dtype = f32);
// A tensor with the same storage and a different shape/strides/offset (no autograd).
Tensor make_view(const Tensor& base, const Shape& shape, const Shape& strides,
                 std::int64_t offset);

// --- factories
Tensor zeros(const Shape& shape, DType dtype = f32);
Tensor ones(const Shape& shape, DType dtype = f32);
Tensor full(const Shape& shape, double value, DType dtype = f32);
Tensor scalar_tensor(double value, DType dtype = f32);  // shape []
// arange(start, stop, step): [start, stop) like NumPy. start, stop and step must be
// finite, step non-zero and of the sign of stop - start (or stop == start: empty).
Tensor arange(double start, double stop, double step = 1.0, DType dtype = f32);
Tensor arange(std::int64_t stop, DType dtype = i64);
Tensor from_vector(std::span<const float> values, const Shape& shape);
Tensor from_vector(std::span<const double> values, const Shape& shape);
Tensor from_vector(std::span<const std::int64_t> values, const Shape& shape);
inline Tensor from_vector(const std::vector<float>& v, const Shape& s) { return from_vector(std::span<const float>(v), s); }
inline Tensor from_vector(const std::vector<double>& v, const Shape& s) { return from_vector(std::span<const double>(v), s); }
inline Tensor from_vector(const std::vector<std::int64_t>& v, const Shape& s) { return from_vector(std::span<const std::int64_t>(v), s); }
// Random tensors from a generator (the thread's default generator when null). uniform
// needs finite low <= high (low == high gives low).
Tensor randn(const Shape& shape, DType dtype = f32, Generator* gen = nullptr);
Tensor rand(const Shape& shape, DType dtype = f32, Generator* gen = nullptr);  // U[0,1)
Tensor uniform(const Shape& shape, double low, double high, DType dtype = f32,
               Generator* gen = nullptr);
Tensor zeros_like(const Tensor& t);
Tensor ones_like(const Tensor& t);

}  // namespace tg
