#include <cmath>
#include <numbers>

#include "tapegrad/parallel_for.hpp"
#include "tapegrad/random.hpp"
#include "tapegrad/tensor.hpp"

namespace tg {

namespace {
// The random factories thread over Philox blocks (each gives every element its own
// counter, so the values do not depend on the split). A block costs about as much as
// eight cheap operations; a Box-Muller pair (log, sqrt, cos, sin) about sixty-four.
constexpr std::int64_t kGrainPhiloxBlocks = grain_for_work(8);
constexpr std::int64_t kBoxMullerWork = 64;
}  // namespace

Tensor full(const Shape& shape, double value, DType dtype) {
  Tensor t = empty(shape, dtype);
  t.fill_(value);
  return t;
}
Tensor zeros(const Shape& shape, DType dtype) { return full(shape, 0.0, dtype); }
Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }
Tensor scalar_tensor(double value, DType dtype) { return full(Shape{}, value, dtype); }
Tensor zeros_like(const Tensor& t) { return zeros(t.shape(), t.dtype()); }
Tensor ones_like(const Tensor& t) { return ones(t.shape(), t.dtype()); }

Tensor arange(double start, double stop, double step, DType dtype) {
  TG_CHECK(std::isfinite(start) && std::isfinite(stop) && std::isfinite(step),
           "arange: start, stop and step must be finite, got start={}, stop={}, step={}", start, stop, step);
  TG_CHECK(step != 0, "arange: step must be non-zero");
  TG_CHECK(start == stop || (stop > start) == (step > 0),
           "arange: step={} goes away from stop={} (start={}); the step's sign must be that of stop - start", step,
           stop, start);
  const double count = std::ceil((stop - start) / step);
  // Below 2^62 the cast is exact enough and defined; empty() checks the byte count.
  TG_CHECK(count < 0x1p62, "arange: [{}, {}) in steps of {} has {} elements, too many for a tensor", start, stop,
           step, count);
  if (!is_floating(dtype)) {
    constexpr double limit = 0x1p63;  // every value must fit the integer dtype
    TG_CHECK(std::fabs(start) < limit && std::fabs(stop) < limit,
             "arange: start={} and stop={} must be within (-2^63, 2^63) for dtype {}", start, stop,
             dtype_name(dtype));
  }
  const std::int64_t n = count > 0 ? static_cast<std::int64_t>(count) : 0;
  Tensor t = empty(Shape{n}, dtype);
  dispatch_dtype(dtype, [&](auto v) {
    using T = decltype(v);
    T* p = t.data<T>();
    for (std::int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(start + static_cast<double>(i) * step);
  });
  return t;
}

Tensor arange(std::int64_t stop, DType dtype) { return arange(0.0, static_cast<double>(stop), 1.0, dtype); }

namespace {
template <class T>
Tensor from_values(std::span<const T> values, const Shape& shape) {
  TG_CHECK(static_cast<std::int64_t>(values.size()) == shape.numel(),
           "from_vector: {} values given for shape {} ({} elements)", values.size(), shape.str(),
           shape.numel());
  Tensor t = empty(shape, dtype_of_v<T>);
  std::copy(values.begin(), values.end(), t.data<T>());
  return t;
}
}  // namespace

Tensor from_vector(std::span<const float> v, const Shape& s) { return from_values(v, s); }
Tensor from_vector(std::span<const double> v, const Shape& s) { return from_values(v, s); }
Tensor from_vector(std::span<const std::int64_t> v, const Shape& s) { return from_values(v, s); }

Tensor uniform(const Shape& shape, double low, double high, DType dtype, Generator* gen) {
  TG_CHECK(is_floating(dtype), "uniform: dtype must be f32 or f64, got {}", dtype_name(dtype));
  TG_CHECK(std::isfinite(low) && std::isfinite(high) && std::isfinite(high - low),
           "uniform: low and high must be finite (and high - low too), got low={}, high={}", low, high);
  TG_CHECK(low <= high, "uniform: low={} is greater than high={}", low, high);
  Generator& g = gen ? *gen : default_generator();
  Tensor t = empty(shape, dtype);
  const std::int64_t n = t.numel();
  const double scale = high - low;
  if (dtype == DType::f32) {
    const std::uint64_t first = g.reserve(static_cast<std::uint64_t>(n));
    float* p = t.data<float>();
    parallel_for((n + 3) / 4, kGrainPhiloxBlocks, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t b = begin; b < end; ++b) {
        const auto w = g.block(first + static_cast<std::uint64_t>(b));
        for (std::int64_t j = 0; j < 4 && 4 * b + j < n; ++j)
          p[4 * b + j] = static_cast<float>(low + scale * uniform_float(w[j]));
      }
    });
  } else {
    const std::uint64_t first = g.reserve(2 * static_cast<std::uint64_t>(n));
    double* p = t.data<double>();
    parallel_for((n + 1) / 2, kGrainPhiloxBlocks, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t b = begin; b < end; ++b) {
        const auto w = g.block(first + static_cast<std::uint64_t>(b));
        p[2 * b] = low + scale * uniform_double(w[0], w[1]);
        if (2 * b + 1 < n) p[2 * b + 1] = low + scale * uniform_double(w[2], w[3]);
      }
    });
  }
  return t;
}

Tensor rand(const Shape& shape, DType dtype, Generator* gen) { return uniform(shape, 0.0, 1.0, dtype, gen); }

Tensor randn(const Shape& shape, DType dtype, Generator* gen) {
  TG_CHECK(is_floating(dtype), "randn: dtype must be f32 or f64, got {}", dtype_name(dtype));
  Generator& g = gen ? *gen : default_generator();
  Tensor t = empty(shape, dtype);
  const std::int64_t n = t.numel();
  const std::int64_t pairs = (n + 1) / 2;
  const std::uint64_t first = g.reserve(4 * static_cast<std::uint64_t>(pairs));
  dispatch_floating(dtype, [&](auto v) {
    using T = decltype(v);
    T* p = t.data<T>();
    // Box-Muller: two uniforms give two independent standard normals.
    parallel_for(pairs, grain_for_work(kBoxMullerWork), [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t b = begin; b < end; ++b) {
        const auto w = g.block(first + static_cast<std::uint64_t>(b));
        const double u1 = 1.0 - uniform_double(w[0], w[1]);  // (0, 1]: log is finite
        const double u2 = uniform_double(w[2], w[3]);
        const double r = std::sqrt(-2.0 * std::log(u1));
        p[2 * b] = static_cast<T>(r * std::cos(2.0 * std::numbers::pi * u2));
        if (2 * b + 1 < n) p[2 * b + 1] = static_cast<T>(r * std::sin(2.0 * std::numbers::pi * u2));
      }
    });
  });
  return t;
}

}  // namespace tg
