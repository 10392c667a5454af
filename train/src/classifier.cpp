// train_classifier: a built-in model by name, trained by a Trainer.
#include <fmt/format.h>

#include <tapegrad/error.hpp>
#include <tapegrad/random.hpp>
#include <tapegrad/train/trainer.hpp>

namespace tg::train {

void TrainConfig::validate() const {
  TrainOptions::validate();
  TG_CHECK(label_smoothing >= 0 && label_smoothing < 1, "train: label smoothing must be in [0, 1), got {}",
           label_smoothing);
  nn::check_model_options(model, model_options);
}

TrainResult train_classifier(const TrainConfig& config, const TrainData& data, const TrainCallbacks& callbacks,
                             const std::vector<std::shared_ptr<Callback>>& more_callbacks) {
  nn::ModelOptions model_options = config.model_options;
  if (data.train.images.defined() && data.train.images.dim() > 1) {  // the model sizes itself from the data
    const Shape& shape = data.train.images.shape();
    model_options.input_shape.assign(shape.begin() + 1, shape.end());
  }
  config.validate();
  nn::check_model_options(config.model, model_options);
  TrainOptions options = config;
  options.run_name = config.model;
  // What the ensemble reader needs to rebuild the model.
  options.checkpoint_metadata.insert({{"model", config.model},
                                      {"optimizer", config.optimizer},
                                      {"dropout", fmt::format("{}", config.model_options.dropout)},
                                      {"width", std::to_string(config.model_options.width)}});
  manual_seed(config.seed);  // model init and dropout draw from the thread's default generator
  Trainer trainer(nn::make_model(config.model, model_options), std::move(options));
  trainer.set_loss(cross_entropy_loss(config.label_smoothing));
  trainer.add_callbacks(callbacks);
  for (const auto& callback : more_callbacks) trainer.add_callback(callback);
  return trainer.fit(data);
}

}  // namespace tg::train
