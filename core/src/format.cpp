#include "tapegrad/format.hpp"

#include "tapegrad/autograd.hpp"

namespace tg {

namespace {

constexpr std::int64_t kEdgeItems = 3;   // shown at each end of an abridged dimension
constexpr std::int64_t kAbridgeAbove = 6;

void append_values(std::string& out, const std::vector<double>& values, const Shape& shape,
                   const Shape& strides, int dim, std::int64_t base, bool integral, int indent) {
  if (dim == shape.size()) {
    const double v = values[static_cast<std::size_t>(base)];
    out += integral ? fmt::format("{}", static_cast<std::int64_t>(v)) : fmt::format("{:.6g}", v);
    return;
  }
  out += '[';
  const std::int64_t n = shape[dim];
  const bool abridge = n > kAbridgeAbove;
  for (std::int64_t i = 0; i < n; ++i) {
    if (abridge && i == kEdgeItems) {
      out += "...";
      i = n - kEdgeItems;
      out += dim + 1 == shape.size() ? ", " : fmt::format(",\n{:{}}", "", indent + 1);
    }
    append_values(out, values, shape, strides, dim + 1, base + i * strides[dim], integral, indent + 1);
    if (i + 1 < n) out += dim + 1 == shape.size() ? ", " : fmt::format(",\n{:{}}", "", indent + 1);
  }
  out += ']';
}

}  // namespace

std::string to_string(const Tensor& t) {
  if (!t.defined()) return "tensor(undefined)";
  std::string out = fmt::format("tensor({}, {}", dtype_name(t.dtype()), t.shape().str());
  if (t.grad_fn()) {
    out += fmt::format(", grad_fn={}", t.grad_fn()->name());
  } else if (t.requires_grad()) {
    out += ", requires_grad";
  }
  out += ",\n";
  const std::vector<double> values = t.to_vector<double>();
  append_values(out, values, t.shape(), contiguous_strides(t.shape()), 0, 0, t.dtype() == i64, 1);
  return out + ")";
}

}  // namespace tg
