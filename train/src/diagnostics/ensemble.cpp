#include <tapegrad/train/diagnostics/ensemble.hpp>

#include <fmt/format.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include <tapegrad/autograd.hpp>
#include <tapegrad/error.hpp>
#include <tapegrad/nn/checkpoint.hpp>
#include <tapegrad/nn/data/loader.hpp>
#include <tapegrad/ops/elementwise.hpp>
#include <tapegrad/train/models.hpp>

#include <tapegrad/train/diagnostics/fixed_batch.hpp>
#include <tapegrad/train/normalization_metadata.hpp>
#include <tapegrad/train/number_range.hpp>

namespace tg::train {

namespace {

// Probabilities [N, C], row-major.
struct Predictions {
  std::vector<double> probabilities;
  std::int64_t classes = 0;
};

Predictions predict(nn::Module& model, const nn::data::Dataset& dataset, const std::optional<nn::data::Normalization>& norm,
                    const EvaluationOptions& options) {
  model.eval();
  NoGradGuard no_grad;
  const nn::data::DataLoader loader(dataset, {.batch_size = options.batch_size, .shuffle = false, .normalization = norm});
  Predictions out;
  for (const nn::data::Batch& batch : loader) {
    const Tensor p = exp(class_log_probabilities(model, batch.images, options.flip_average));
    out.classes = p.size(1);
    const std::vector<double> values = p.to_vector<double>();
    out.probabilities.insert(out.probabilities.end(), values.begin(), values.end());
  }
  return out;
}

// Mean cross-entropy -ln p[label] and accuracy of probabilities.
Evaluation score(const Predictions& predictions, const std::vector<std::int64_t>& labels) {
  double loss = 0;
  std::int64_t correct = 0;
  const auto c = static_cast<std::size_t>(predictions.classes);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const double* row = predictions.probabilities.data() + i * c;
    std::size_t best = 0;
    for (std::size_t j = 1; j < c; ++j)
      if (row[j] > row[best]) best = j;
    correct += static_cast<std::int64_t>(best) == labels[i];
    loss -= std::log(std::max(row[static_cast<std::size_t>(labels[i])], 1e-300));
  }
  const auto n = static_cast<double>(labels.size());
  return {loss / n, static_cast<double>(correct) / n};
}

// A number from the checkpoint's metadata, or fallback when the key is absent.
double metadata_number(const std::map<std::string, std::string>& metadata, const std::string& key, double fallback,
                       const std::string& path) {
  const auto it = metadata.find(key);
  if (it == metadata.end()) return fallback;
  const nlohmann::json parsed = nlohmann::json::parse(it->second, nullptr, /*allow_exceptions=*/false);
  TG_CHECK(parsed.is_number(), "--ensemble: '{}' has {} '{}' in its metadata, expected a number", path, key,
           it->second);
  return parsed.get<double>();
}

// The model must be made as it was trained: Dropout layers take a place in the model's
// Sequential (they shift the names of the layers after them) and the width sets the
// shapes. Checkpoints without "dropout" are from runs with the command's defaults (> 0),
// those without "width" from before it existed (1).
nn::ModelOptions model_options_from_metadata(const std::map<std::string, std::string>& metadata,
                                             const std::string& path) {
  nn::ModelOptions options{.dropout = metadata_number(metadata, "dropout", 0.5, path), .width = 1};
  // A whole number, as tapegrad train writes it: "1.9" is a damaged file, not width 1.
  if (const auto width = metadata.find("width"); width != metadata.end())
    options.width = parse_in_range(fmt::format("--ensemble: '{}': the metadata's width", path), width->second,
                                        IntRange{1, 16});
  return options;
}

struct Member {
  std::string model_name;
  nn::ModulePtr model;
  std::optional<nn::data::Normalization> norm;
};

// The checkpoint at path as a model ready to predict; every error a member can raise.
Member load_member(const std::string& path) {
  const nn::Checkpoint checkpoint = nn::load_checkpoint(path);
  const auto name = checkpoint.metadata.find("model");
  TG_CHECK(name != checkpoint.metadata.end(),
           "--ensemble: '{}' has no \"model\" in its metadata; expected a checkpoint saved by tapegrad train", path);
  Member member{name->second, make_seeded_model(name->second, model_options_from_metadata(checkpoint.metadata, path), 0),
                normalization_from_metadata(checkpoint.metadata)};
  member.model->load_state_dict(checkpoint.model_state);
  return member;
}

void check_paths(const std::vector<std::string>& paths) {
  TG_CHECK(!paths.empty(), "--ensemble: no checkpoint given; expected a comma-separated list of .safetensors files");
  for (const std::string& path : paths)
    TG_CHECK(std::filesystem::is_regular_file(path), "--ensemble: no checkpoint file '{}'", path);
}

}  // namespace

void check_ensemble_members(const std::vector<std::string>& paths) {
  check_paths(paths);
  for (const std::string& path : paths) load_member(path);
}

EnsembleResult evaluate_ensemble(const std::vector<std::string>& paths, const nn::data::Dataset& dataset,
                                 const std::optional<nn::data::Normalization>& fallback,
                                 const EvaluationOptions& options) {
  check_paths(paths);
  TG_CHECK(dataset.size() > 0, "--ensemble: the evaluation set is empty");

  const std::vector<std::int64_t> labels = dataset.labels.to_vector<std::int64_t>();
  EnsembleResult result;
  Predictions sum;
  for (const std::string& path : paths) {
    const Member member = load_member(path);
    const Predictions p = predict(*member.model, dataset, member.norm ? member.norm : fallback, options);
    if (sum.probabilities.empty()) sum = {std::vector<double>(p.probabilities.size(), 0.0), p.classes};
    TG_CHECK(p.classes == sum.classes, "--ensemble: '{}' predicts {} classes, the first checkpoint {}", path, p.classes,
             sum.classes);
    for (std::size_t i = 0; i < p.probabilities.size(); ++i) sum.probabilities[i] += p.probabilities[i];
    result.members.push_back({path, member.model_name, score(p, labels)});
    result.mean_member_accuracy += result.members.back().evaluation.accuracy / static_cast<double>(paths.size());
  }
  for (double& value : sum.probabilities) value /= static_cast<double>(paths.size());
  result.ensemble = score(sum, labels);
  return result;
}

}  // namespace tg::train
