#include "tapegrad/format.hpp"

#include <mutex>
#include <ostream>

#include "tapegrad/autograd.hpp"

namespace tg {

namespace {

std::mutex options_mutex;
PrintOptions options;  // guarded by options_mutex

struct Printer {
  const std::vector<double>& values;
  const Shape& shape;
  const Shape& strides;
  bool integral, abridged;
  PrintOptions options;

  void append(std::string& out, int dim, std::int64_t base, int indent) const {
    if (dim == shape.size()) {
      const double v = values[static_cast<std::size_t>(base)];
      out += integral ? fmt::format("{}", static_cast<std::int64_t>(v)) : fmt::format("{:.{}g}", v, options.precision);
      return;
    }
    out += '[';
    const std::int64_t n = shape[dim], edge = options.edgeitems;
    const bool abridge = abridged && n > 2 * edge;
    const std::string separator = dim + 1 == shape.size() ? ", " : fmt::format(",\n{:{}}", "", indent + 1);
    for (std::int64_t i = 0; i < n; ++i) {
      if (abridge && i == edge) {
        out += "..." + separator;
        i = n - edge;
      }
      append(out, dim + 1, base + i * strides[dim], indent + 1);
      if (i + 1 < n) out += separator;
    }
    out += ']';
  }
};

}  // namespace

void set_print_options(const PrintOptions& o) {
  TG_CHECK(o.threshold >= 0, "set_print_options: threshold must be >= 0, got {}", o.threshold);
  TG_CHECK(o.edgeitems >= 1, "set_print_options: edgeitems must be >= 1, got {}", o.edgeitems);
  TG_CHECK(o.precision >= 1 && o.precision <= 17, "set_print_options: precision must be in [1, 17], got {}",
           o.precision);
  const std::lock_guard lock(options_mutex);
  options = o;
}

PrintOptions print_options() {
  const std::lock_guard lock(options_mutex);
  return options;
}

std::ostream& operator<<(std::ostream& out, const Tensor& t) { return out << to_string(t); }

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
  const PrintOptions o = print_options();
  const Shape strides = contiguous_strides(t.shape());
  Printer{values, t.shape(), strides, t.dtype() == i64, t.numel() > o.threshold, o}.append(out, 0, 0, 1);
  return out + ")";
}

}  // namespace tg
