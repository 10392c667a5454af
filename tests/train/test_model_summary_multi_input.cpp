// The model summary of a model with several inputs (docs/modules.md).
#include <doctest/doctest.h>

#include <memory>

#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>
#include <tapegrad/train/diagnostics/model_summary.hpp>

#include "check_error.hpp"

using tg::Tensor;
using namespace tg::nn;

namespace {

// a + encoder(b): two inputs of different widths.
class AddEncoded : public MultiInputModule<AddEncoded> {
 public:
  AddEncoded() { encoder_ = register_module("encoder", std::make_shared<Linear>(3, 2)); }
  Tensor forward(const Tensor& a, const Tensor& b) { return a + (*encoder_)(b); }
  std::string type_name() const override { return "AddEncoded"; }

 private:
  std::shared_ptr<Linear> encoder_;
};

}  // namespace

TEST_CASE("model summary of a several-input model: rows from the first module on, every input shape in the caption") {
  auto model = std::make_shared<Sequential>(
      std::vector<ModulePtr>{std::make_shared<AddEncoded>(), std::make_shared<ReLU>(), std::make_shared<Linear>(2, 1)});
  const tg::train::ModelSummary s = tg::train::summarize_model(*model, {tg::zeros({4, 2}), tg::zeros({4, 3})});
  REQUIRE(s.layers.size() == 3);
  CHECK(s.layers[0].path == "0");
  CHECK(s.layers[0].description == "AddEncoded()");
  CHECK(s.layers[0].output.str() == "[4, 2]");
  CHECK(s.layers[0].parameters == 3 * 2 + 2);
  CHECK(s.layers[2].output.str() == "[4, 1]");
  CHECK(s.parameters == 3 * 2 + 2 + 2 + 1);
  CHECK(s.input.str() == "[4, 2]");
  CHECK(s.inputs.size() == 2);
  CHECK(tg::train::model_summary_table(s).title ==
        "layers and their outputs for inputs of shapes [4, 2] and [4, 3]");
  // One module (not a Sequential) is one row.
  const tg::train::ModelSummary alone =
      tg::train::summarize_model(*model->at(0), {tg::zeros({4, 2}), tg::zeros({4, 3})});
  REQUIRE(alone.layers.size() == 1);
  CHECK(alone.layers[0].path.empty());
  CHECK_ERROR(tg::train::summarize_model(*model, tg::zeros({4, 2})), "AddEncoded(): forward takes 2 inputs, given 1");
  CHECK_ERROR(tg::train::summarize_model(*model, std::vector<Tensor>{}),
              "summarize_model: no example input; expected one batch per input of Sequential()");
}
