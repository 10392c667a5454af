#pragma once
// A labelled image dataset held in memory: images f32 [N, C, H, W], labels i64 [N].
#include <cstdint>
#include <string>
#include <vector>

#include "tapegrad/tensor.hpp"

namespace tg::data {

struct Dataset {
  Tensor images;  // f32 [N, C, H, W], contiguous
  Tensor labels;  // i64 [N]

  std::int64_t size() const { return labels.defined() ? labels.numel() : 0; }
  // The samples at `indices`, in that order (repeats allowed); each index in [0, size()).
  Dataset subset(const std::vector<std::int64_t>& indices) const;
};

// Throws (naming op) unless images is a contiguous f32 [N, C, H, W] tensor and labels
// an i64 [N] tensor with the same N.
void check_dataset(const Dataset& dataset, const char* op);

// Images from an IDX file of u8 pixels ([N, H, W], or [N, C, H, W]) scaled to [0, 1]
// as f32 [N, C, H, W] (C = 1 for 3 dims), and labels from an IDX file of integers [N],
// each in [0, num_classes). Errors name the file: counts that disagree, a label out of range.
Dataset load_idx_dataset(const std::string& images_path, const std::string& labels_path, std::int64_t num_classes);

}  // namespace tg::data
