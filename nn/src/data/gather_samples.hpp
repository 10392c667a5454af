#pragma once
// The row copy behind Dataset::subset and DataLoader::batch.
#include <cstdint>
#include <span>

#include "tapegrad/nn/data/dataset.hpp"

namespace tg::data::detail {

// Copies the samples at `indices` (each checked to be in range; errors name op) into
// images_out (one image of C*H*W floats per index) and labels_out. Threads are used
// only when the copy is large enough to pay for them.
void gather_samples(const Dataset& dataset, std::span<const std::int64_t> indices, float* images_out,
                    std::int64_t* labels_out, const char* op);

}  // namespace tg::data::detail
