#include <tapegrad/train/diagnostics/fixed_batch.hpp>

#include <algorithm>
#include <numeric>
#include <vector>

namespace tg::train {

nn::data::Batch first_examples(const nn::data::Dataset& dataset, std::int64_t n,
                           const std::optional<nn::data::Normalization>& norm) {
  std::vector<std::int64_t> indices(static_cast<std::size_t>(std::min(n, dataset.size())));
  std::iota(indices.begin(), indices.end(), std::int64_t{0});
  const nn::data::Dataset subset = dataset.subset(indices);
  return {norm ? norm->apply(subset.images) : subset.images, subset.labels};
}

nn::ModulePtr make_seeded_model(const std::string& name, const nn::ModelOptions& options, std::uint64_t seed) {
  const DefaultGeneratorRestore restore;
  manual_seed(seed);
  return nn::make_model(name, options);
}

}  // namespace tg::train
