#include "tapegrad/nn/data/dataset.hpp"

#include <algorithm>
#include <cstring>

#include "gather_samples.hpp"
#include "tapegrad/error.hpp"
#include "tapegrad/parallel_for.hpp"
#include "tapegrad/nn/data/idx.hpp"

namespace tg::nn::data {

void check_dataset(const Dataset& d, const char* op) {
  TG_CHECK(d.images.defined() && d.labels.defined(), "{}: the dataset has no images or no labels", op);
  TG_CHECK(d.images.dtype() == f32 && d.images.dim() >= 2 && d.images.is_contiguous(),
           "{}: images are {} {}, expected a contiguous f32 tensor [N, C, H, W] or [N, F]", op,
           dtype_name(d.images.dtype()), d.images.shape().str());
  const bool class_labels = d.labels.dtype() == i64 && d.labels.dim() == 1;
  const bool targets = is_floating(d.labels.dtype()) && d.labels.dim() >= 1;
  TG_CHECK((class_labels || targets) && d.labels.is_contiguous(),
           "{}: labels are {} {}, expected a contiguous i64 tensor [N] (classes) or a floating tensor [N, ...] "
           "(regression targets)", op, dtype_name(d.labels.dtype()), d.labels.shape().str());
  TG_CHECK(d.images.size(0) == d.labels.size(0), "{}: {} images but {} labels", op, d.images.size(0),
           d.labels.size(0));
}

namespace detail {

namespace {
// Copies rows indices[i] of the contiguous tensor from (first dim) into row i of to.
void gather_rows(const Tensor& from, std::span<const std::int64_t> indices, const Tensor& to) {
  const std::int64_t rows = from.size(0);
  const auto row_bytes = static_cast<std::size_t>(from.numel() / std::max<std::int64_t>(rows, 1)) * dtype_size(from.dtype());
  const auto* source = static_cast<const std::byte*>(from.raw_data());
  auto* target = static_cast<std::byte*>(to.raw_data());
  const auto count = static_cast<std::int64_t>(indices.size());
  // A row costs about one cheap operation per 4 bytes copied.
  parallel_for(count, grain_for_work(static_cast<std::int64_t>(row_bytes / 4)), [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i)
      std::memcpy(target + static_cast<std::size_t>(i) * row_bytes,
                  source + static_cast<std::size_t>(indices[static_cast<std::size_t>(i)]) * row_bytes, row_bytes);
  });
}
}  // namespace

Batch gather_samples(const Dataset& d, std::span<const std::int64_t> indices, const char* op) {
  const std::int64_t n = d.size();
  for (std::size_t i = 0; i < indices.size(); ++i) {
    TG_CHECK(indices[i] >= 0 && indices[i] < n, "{}: index {} (position {}) is out of range for a dataset of {} samples",
             op, indices[i], i, n);
  }
  const auto count = static_cast<std::int64_t>(indices.size());
  Shape image_shape = d.images.shape(), label_shape = d.labels.shape();
  image_shape[0] = count;
  label_shape[0] = count;
  Batch out{empty(image_shape, d.images.dtype()), empty(label_shape, d.labels.dtype())};
  gather_rows(d.images, indices, out.images);
  gather_rows(d.labels, indices, out.labels);
  return out;
}

}  // namespace detail

Dataset Dataset::subset(const std::vector<std::int64_t>& indices) const {
  check_dataset(*this, "Dataset::subset");
  Batch rows = detail::gather_samples(*this, indices, "Dataset::subset");
  return {std::move(rows.images), std::move(rows.labels)};
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

}  // namespace tg::nn::data
