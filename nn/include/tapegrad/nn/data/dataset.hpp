#pragma once
// A labelled dataset held in memory: inputs ("images") f32 [N, C, H, W] or feature rows
// [N, F], and per sample either a class label (i64 [N]) or a regression target (f32 or
// f64 [N, ...]).
#include <cstdint>
#include <string>
#include <vector>

#include "tapegrad/tensor.hpp"

namespace tg::nn::data {

struct Dataset {
  Tensor images;  // f32 [N, C, H, W] or [N, F], contiguous
  Tensor labels;  // i64 [N] class labels, or floating [N, ...] regression targets; contiguous

  std::int64_t size() const { return labels.defined() ? labels.numel() : 0; }
  // The samples at `indices`, in that order (repeats allowed); each index in [0, size()).
  Dataset subset(const std::vector<std::int64_t>& indices) const;
};

// Throws (naming op) unless images is a contiguous f32 tensor of 2 or more dims and labels
// a contiguous i64 [N] or floating [N, ...] tensor with the same N.
void check_dataset(const Dataset& dataset, const char* op);

// Images from an IDX file of u8 pixels ([N, H, W], or [N, C, H, W]) scaled to [0, 1]
// as f32 [N, C, H, W] (C = 1 for 3 dims), and labels from an IDX file of integers [N],
// each in [0, num_classes). Errors name the file: counts that disagree, a label out of range.
Dataset load_idx_dataset(const std::string& images_path, const std::string& labels_path, std::int64_t num_classes);

}  // namespace tg::nn::data
