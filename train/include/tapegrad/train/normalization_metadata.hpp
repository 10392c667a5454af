#pragma once
// The input normalization a model was trained with, kept in its checkpoint's metadata
// ("input_mean", "input_std": JSON arrays, one number per channel) so that evaluating
// the checkpoint later (e.g. in an ensemble) normalizes exactly as training did.
#include <map>
#include <optional>
#include <string>

#include <tapegrad/nn/data/normalization.hpp>

namespace tg::train {

void add_normalization_metadata(const nn::data::Normalization& norm, std::map<std::string, std::string>& metadata);
// nullopt when the metadata has neither key (a checkpoint from before they were saved);
// a tg::Error when they are malformed.
std::optional<nn::data::Normalization> normalization_from_metadata(const std::map<std::string, std::string>& metadata);

}  // namespace tg::train
