#pragma once
// The row copy behind Dataset::subset and DataLoader::batch.
#include <cstdint>
#include <span>

#include "tapegrad/nn/data/dataset.hpp"
#include "tapegrad/nn/data/loader.hpp"

namespace tg::nn::data::detail {

// The samples at `indices` (each checked to be in range; errors name op): images and
// labels of any shape and dtype, gathered along the first dim. Threads are used only
// when the copy is large enough to pay for them.
Batch gather_samples(const Dataset& dataset, std::span<const std::int64_t> indices, const char* op);

}  // namespace tg::nn::data::detail
