#include "tapegrad/nn/data/dataset.hpp"

#include <algorithm>
#include <cstring>

#include "gather_samples.hpp"
#include "tapegrad/error.hpp"
#include "tapegrad/nn/data/idx.hpp"

namespace tg::data {

void check_dataset(const Dataset& d, const char* op) {
  TG_CHECK(d.images.defined() && d.labels.defined(), "{}: the dataset has no images or no labels", op);
  TG_CHECK(d.images.dtype() == f32 && d.images.dim() == 4 && d.images.is_contiguous(),
           "{}: images are {} {}, expected a contiguous f32 tensor [N, C, H, W]", op, dtype_name(d.images.dtype()),
           d.images.shape().str());
  TG_CHECK(d.labels.dtype() == i64 && d.labels.dim() == 1 && d.labels.is_contiguous(),
           "{}: labels are {} {}, expected a contiguous i64 tensor [N]", op, dtype_name(d.labels.dtype()),
           d.labels.shape().str());
  TG_CHECK(d.images.size(0) == d.labels.size(0), "{}: {} images but {} labels", op, d.images.size(0),
           d.labels.size(0));
}

namespace detail {

void gather_samples(const Dataset& d, std::span<const std::int64_t> indices, float* images_out,
                    std::int64_t* labels_out, const char* op) {
  const std::int64_t n = d.size();
  for (std::size_t i = 0; i < indices.size(); ++i) {
    TG_CHECK(indices[i] >= 0 && indices[i] < n, "{}: index {} (position {}) is out of range for a dataset of {} samples",
             op, indices[i], i, n);
  }
  const std::int64_t sample = d.images.numel() / std::max<std::int64_t>(n, 1);
  const float* images = d.images.data<float>();
  const std::int64_t* labels = d.labels.data<std::int64_t>();
  const auto count = static_cast<std::int64_t>(indices.size());
  // Threads pay off only past a few hundred KB; below that the fork costs more than the copy.
  const bool threaded = count * sample * static_cast<std::int64_t>(sizeof(float)) > (std::int64_t{1} << 20);
#pragma omp parallel for schedule(static) if (threaded)
  for (std::int64_t i = 0; i < count; ++i) {
    std::memcpy(images_out + i * sample, images + indices[i] * sample, static_cast<std::size_t>(sample) * sizeof(float));
    labels_out[i] = labels[indices[i]];
  }
}

}  // namespace detail

Dataset Dataset::subset(const std::vector<std::int64_t>& indices) const {
  check_dataset(*this, "Dataset::subset");
  Shape shape = images.shape();
  shape[0] = static_cast<std::int64_t>(indices.size());
  Dataset out{empty(shape, f32), empty({shape[0]}, i64)};
  detail::gather_samples(*this, indices, out.images.data<float>(), out.labels.data<std::int64_t>(), "Dataset::subset");
  return out;
}

Dataset load_idx_dataset(const std::string& images_path, const std::string& labels_path, std::int64_t num_classes) {
  const IdxArray images = read_idx(images_path);
  const IdxArray labels = read_idx(labels_path);
  TG_CHECK(images.type == IdxType::u8, "load_idx_dataset: {}: images are {} values, expected u8 pixels (type 0x08)",
           images_path, idx_type_name(images.type));
  TG_CHECK(images.dims.size() == 3 || images.dims.size() == 4,
           "load_idx_dataset: {}: images have {} dims, expected 3 (N, H, W) or 4 (N, C, H, W)", images_path,
           images.dims.size());
  TG_CHECK(labels.type != IdxType::f32 && labels.type != IdxType::f64,
           "load_idx_dataset: {}: labels are {} values, expected an integer type", labels_path,
           idx_type_name(labels.type));
  TG_CHECK(labels.dims.size() == 1, "load_idx_dataset: {}: labels have {} dims, expected 1 (N)", labels_path,
           labels.dims.size());
  TG_CHECK(images.dims[0] == labels.dims[0], "load_idx_dataset: {} holds {} images but {} holds {} labels", images_path,
           images.dims[0], labels_path, labels.dims[0]);

  Dataset d;
  d.labels = labels.to_tensor(i64);
  const std::int64_t* y = d.labels.data<std::int64_t>();
  for (std::int64_t i = 0; i < d.labels.numel(); ++i) {
    TG_CHECK(y[i] >= 0 && y[i] < num_classes, "load_idx_dataset: {}: label {} at index {} is outside [0, {})",
             labels_path, y[i], i, num_classes);
  }
  std::vector<std::int64_t> shape = images.dims;
  if (shape.size() == 3) shape.insert(shape.begin() + 1, 1);
  d.images = empty(Shape(shape), f32);
  float* x = d.images.data<float>();
  const std::uint8_t* pixels = images.raw.data();
  const auto n = static_cast<std::int64_t>(images.raw.size());
  for (std::int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(pixels[i]) / 255.0f;
  return d;
}

}  // namespace tg::data
