// A model plug-in: a small residual CNN written against the public API and built as a
// shared module. `tapegrad train --plugin libtiny_resnet_plugin.so --model tiny_resnet`
// trains it with every flag of the command (search and bench --fashion take it too); its
// registration runs when the module is loaded. docs/plugins.md walks through it.
//
// The network (He et al., "Deep Residual Learning for Image Recognition", scaled down):
// stem conv 3x3 (16 channels) -> BatchNorm -> ReLU, a residual block, maxpool 2,
// conv 3x3 to 32 channels -> BatchNorm -> ReLU, a residual block, maxpool 2, flatten,
// dropout, linear to the classes. Each residual
// block is x + BN(conv(ReLU(BN(conv(x))))), followed by a ReLU.
#include <tapegrad/error.hpp>
#include <tapegrad/nn/nn.hpp>
#include <tapegrad/ops/elementwise.hpp>

namespace {

namespace nn = tg::nn;

// conv 3x3 (same size, no bias: the BatchNorm's shift replaces it) -> BatchNorm2d.
std::shared_ptr<nn::Sequential> conv_bn(std::int64_t in, std::int64_t out) {
  auto block = std::make_shared<nn::Sequential>();
  block->push_back(std::make_shared<nn::Conv2d>(in, out, 3, tg::Conv2dOptions{.padding = 1}, /*bias=*/false));
  block->push_back(std::make_shared<nn::BatchNorm2d>(out));
  return block;
}

class ResidualBlock final : public nn::Module {
 public:
  explicit ResidualBlock(std::int64_t channels)
      : first_(register_module("first", conv_bn(channels, channels))),
        second_(register_module("second", conv_bn(channels, channels))) {}

  tg::Tensor forward(const tg::Tensor& x) override {
    return tg::relu(x + (*second_)(tg::relu((*first_)(x))));
  }
  std::string type_name() const override { return "ResidualBlock"; }

 private:
  std::shared_ptr<nn::Sequential> first_;
  std::shared_ptr<nn::Sequential> second_;
};

nn::ModulePtr make_tiny_resnet(const nn::ModelOptions& options) {
  const std::int64_t channels = options.input_shape[0];  // the registry has checked the shape [C, H, W]
  auto model = std::make_shared<nn::Sequential>();
  model->push_back(conv_bn(channels, 16));
  model->push_back(std::make_shared<nn::ReLU>());
  model->push_back(std::make_shared<ResidualBlock>(16));
  model->push_back(std::make_shared<nn::MaxPool2d>(2));
  model->push_back(conv_bn(16, 32));
  model->push_back(std::make_shared<nn::ReLU>());
  model->push_back(std::make_shared<ResidualBlock>(32));
  model->push_back(std::make_shared<nn::MaxPool2d>(2));
  model->push_back(std::make_shared<nn::Flatten>());
  if (options.dropout > 0) model->push_back(std::make_shared<nn::Dropout>(options.dropout));
  // Small classifier weights make the initial loss ln(classes), what `tapegrad train
  // --sanity` checks first. The 1568 features (28x28 input) are of order 1 after the last
  // residual sum, so std 0.001 keeps the logits near 0 (0.01 gave a loss 12% above ln 10).
  const std::int64_t features = 32 * (options.input_shape[1] / 4) * (options.input_shape[2] / 4);
  auto classifier = std::make_shared<nn::Linear>(features, options.classes);
  nn::normal_(classifier->weight(), 0.001);
  model->push_back(classifier);
  return model;
}

// Two poolings by 2 need at least 4x4 pixels.
void check_tiny_resnet(const nn::ModelOptions& options) {
  TG_CHECK(options.input_shape[1] >= 4 && options.input_shape[2] >= 4,
           "tiny_resnet: needs images of at least 4x4 pixels, got {}x{}", options.input_shape[1],
           options.input_shape[2]);
}

// It reads dropout (the default) and not width; the check runs before the factory.
TAPEGRAD_REGISTER_MODEL_INFO((nn::ModelInfo{
    .name = "tiny_resnet",
    .factory = make_tiny_resnet,
    .doc = "a small residual CNN: 16 and 32 channels, two residual blocks with BatchNorm (a plug-in)",
    .check = check_tiny_resnet}));

}  // namespace
