#include "tapegrad/ops/op_table.hpp"

#include <algorithm>
#include <cmath>

#include "tapegrad/ops/elementwise.hpp"
#include "tapegrad/ops/views.hpp"

namespace tg {

namespace {
std::vector<OpTableEntry>& table() {
  static std::vector<OpTableEntry> entries;
  return entries;
}
}  // namespace

const std::vector<OpTableEntry>& op_table() { return table(); }

const OpTableEntry& find_op(const std::string& name) {
  for (const auto& e : table())
    if (e.name == name) return e;
  std::string names;
  for (const auto& e : table()) names += (names.empty() ? "" : ", ") + e.name;
  fail("op table: no op named '{}'; the table has: {}", name, names);
}

OpRegistration::OpRegistration(OpTableEntry entry) {
  auto& t = table();
  TG_CHECK(std::none_of(t.begin(), t.end(), [&](const auto& e) { return e.name == entry.name; }),
           "op table: '{}' is registered twice", entry.name);
  // Keep the table sorted by name whatever the order files were loaded in.
  auto pos = std::lower_bound(t.begin(), t.end(), entry.name,
                              [](const OpTableEntry& e, const std::string& n) { return e.name < n; });
  t.insert(pos, std::move(entry));
}

bool has_empty_input(const OpSample& sample) {
  return std::any_of(sample.inputs.begin(), sample.inputs.end(),
                     [](const Tensor& t) { return t.defined() && t.numel() == 0; });
}

Tensor sample_normal(Generator& gen, const Shape& shape) { return randn(shape, f64, &gen); }

Tensor sample_positive(Generator& gen, const Shape& shape, double low, double high) {
  return uniform(shape, low, high, f64, &gen);
}

Tensor sample_away_from_zero(Generator& gen, const Shape& shape, double min_abs) {
  // |x| in [min_abs, min_abs + 1.5), random sign.
  Tensor magnitude = uniform(shape, min_abs, min_abs + 1.5, f64, &gen);
  Tensor sign = uniform(shape, -1.0, 1.0, f64, &gen);
  double* m = magnitude.data<double>();
  const double* s = sign.data<double>();
  for (std::int64_t i = 0; i < magnitude.numel(); ++i)
    if (s[i] < 0) m[i] = -m[i];
  return magnitude;
}

Tensor keep_away_from(Tensor x, const std::vector<double>& points, double margin) {
  double* p = x.data<double>();
  for (std::int64_t i = 0; i < x.numel(); ++i)
    while (std::any_of(points.begin(), points.end(), [&](double q) { return std::abs(p[i] - q) < margin; }))
      p[i] += margin;
  return x;
}

std::function<Tensor(const std::vector<Tensor>&)> OpSample::bind(
    const std::function<Tensor(const std::vector<Tensor>&)>& fn) const {
  if (transposed.empty()) return fn;
  return [fn, t = transposed](std::vector<Tensor> xs) {
    for (int i : t) xs[static_cast<std::size_t>(i)] = transpose(xs[static_cast<std::size_t>(i)], -1, -2);
    return fn(xs);
  };
}

}  // namespace tg
