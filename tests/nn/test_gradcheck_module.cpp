// tg::nn::gradcheck_module: a module's parameters checked in f64 by name, with random
// masks replayed, BatchNorm in a stated mode, and the module left exactly as it was.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>

#include "check_error.hpp"

using tg::Tensor;
namespace nn = tg::nn;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

bool any_note(const tg::GradcheckReport& r, const std::string& part) {
  for (const std::string& note : r.notes)
    if (contains(note, part)) return true;
  return false;
}

std::shared_ptr<nn::Sequential> mlp(std::vector<nn::ModulePtr> middle = {}) {
  tg::manual_seed(11);
  auto model = std::make_shared<nn::Sequential>();
  model->push_back(std::make_shared<nn::Linear>(4, 5));
  for (auto& m : middle) model->push_back(m);
  model->push_back(std::make_shared<nn::Tanh>());
  model->push_back(std::make_shared<nn::Linear>(5, 3));
  return model;
}

nn::data::Batch batch(std::int64_t n = 6) {
  tg::Generator gen(5);
  std::vector<std::int64_t> labels;
  for (std::int64_t i = 0; i < n; ++i) labels.push_back(i % 3);
  return {tg::randn({n, 4}, tg::f32, &gen), tg::from_vector(labels, {n})};
}

// y = x w + y.detach(): the forward doubles y but its backward sees only one copy.
class HalfGradient : public nn::Module {
 public:
  HalfGradient() { w_ = register_parameter("w", tg::randn({4, 3})); }
  Tensor forward(const Tensor& x) override {
    const Tensor y = tg::matmul(x, w_);
    return y + y.detach();
  }
  std::string type_name() const override { return "HalfGradient"; }

 private:
  Tensor w_;
};

// x w + b with b read through a detach (the tape misses it), and a parameter never read.
class Leaky : public nn::Module {
 public:
  Leaky() {
    w_ = register_parameter("w", tg::randn({4, 3}));
    b_ = register_parameter("b", tg::randn({3}));
    register_parameter("spare", tg::randn({2}));
  }
  Tensor forward(const Tensor& x) override { return tg::matmul(x, w_) + b_.detach(); }
  std::string type_name() const override { return "Leaky"; }

 private:
  Tensor w_, b_;
};

std::vector<std::string> names(const tg::GradcheckReport& r) {
  std::vector<std::string> out;
  for (const auto& in : r.inputs) out.push_back(in.name);
  return out;
}

}  // namespace

TEST_CASE("gradcheck_module of an mlp passes and names its parameters") {
  auto model = mlp();
  const tg::GradcheckReport report = nn::gradcheck_module(*model, {}, batch());
  INFO(report.table());
  CHECK(report.passed());
  CHECK(names(report) == std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"});
  CHECK(report.inputs[0].checked == 20);  // every coordinate of the 5 x 4 weight
  CHECK(report.inputs[2].checked == 15);
  CHECK(contains(report.table(), "  0.weight "));
  CHECK(contains(report.table(), "  2.bias "));
  CHECK(any_note(report, "checked in its own (train) mode, in f64"));
}

TEST_CASE("a naive gradcheck of a module's parameters is unused while gradcheck_module checks them") {
  // f reads the module's own parameters, not gradcheck's f64 copies of them.
  auto model = mlp();
  const Tensor x = batch().images;
  const tg::GradcheckReport naive =
      tg::gradcheck([&](const std::vector<Tensor>&) { return tg::sum(tg::square((*model)(x))); }, model->parameters());
  CHECK_FALSE(naive.passed());
  CHECK(naive.verdict == tg::Verdict::unused);
  CHECK(contains(naive.table(), "input 0 [5, 4]: unused: the function does not depend on it"));
  CHECK(contains(naive.table(), "use tg::nn::gradcheck_module"));
  const auto loss = [](const Tensor& out, const nn::data::Batch&) { return tg::sum(tg::square(out)); };
  CHECK(nn::gradcheck_module(*model, loss, batch()).passed());
}

TEST_CASE("gradcheck_module finds a wrong backward, and a detached or unread parameter is unused") {
  HalfGradient half;
  const tg::GradcheckReport wrong = nn::gradcheck_module(half, {}, batch());
  CHECK(wrong.verdict == tg::Verdict::wrong);
  CHECK(wrong.inputs.at(0).name == "w");
  CHECK(contains(wrong.table(), "worst elements of input w"));

  Leaky leaky;
  const tg::GradcheckReport report = nn::gradcheck_module(leaky, {}, batch());
  INFO(report.table());
  REQUIRE(report.inputs.size() == 3);
  CHECK(report.inputs[0].verdict == tg::Verdict::good);
  CHECK(report.inputs[1].verdict == tg::Verdict::unused);
  CHECK(report.inputs[2].verdict == tg::Verdict::unused);
  CHECK(report.verdict == tg::Verdict::unused);
  CHECK(contains(report.table(), "b [3]: unused: the function does not depend on it"));
  CHECK(contains(report.table(), "leave it out of options.parameters, or set options.check.allow_unused"));
  // Allowed, the unread one passes; the detached one changes the loss: WRONG elements.
  nn::ModuleGradcheckOptions options;
  options.check.allow_unused = true;
  const tg::GradcheckReport allowed = nn::gradcheck_module(leaky, {}, batch(), options);
  CHECK(allowed.verdict == tg::Verdict::wrong);
  CHECK(allowed.inputs[1].count[static_cast<int>(tg::Verdict::wrong)] == 3);
  options.parameters = {"w", "spare"};
  CHECK(nn::gradcheck_module(leaky, {}, batch(), options).passed());
}

TEST_CASE("gradcheck_module checks a chosen subset of parameters by name") {
  auto model = mlp();
  nn::ModuleGradcheckOptions options;
  options.parameters = {"2.weight", "0.bias"};
  const tg::GradcheckReport report = nn::gradcheck_module(*model, {}, batch(), options);
  CHECK(names(report) == std::vector<std::string>{"0.bias", "2.weight"});  // in the module's order
  CHECK(report.passed());
}

TEST_CASE("gradcheck_module replays dropout masks, from the default stream and from a layer's own generator") {
  tg::Generator own(42);
  for (tg::Generator* gen : {static_cast<tg::Generator*>(nullptr), &own}) {
    auto model = mlp({std::make_shared<nn::Dropout>(0.5, gen)});
    const auto before_own = own.state();
    const auto before_default = tg::default_generator().state();
    const tg::GradcheckReport report = nn::gradcheck_module(*model, {}, batch());
    INFO(report.table());
    CHECK(report.passed());
    CHECK(any_note(report, "'1' (Dropout(p=0.5)) draws one mask, replayed in every evaluation"));
    CHECK(any_note(report, "layers with their own generators replay them too") == (gen != nullptr));
    CHECK(own.state().offset == before_own.offset);
    CHECK(tg::default_generator().state().offset == before_default.offset);
  }
  // In eval mode there is no mask.
  auto model = mlp({std::make_shared<nn::Dropout>(0.5)});
  nn::ModuleGradcheckOptions options;
  options.mode = nn::ModuleMode::eval;
  const tg::GradcheckReport report = nn::gradcheck_module(*model, {}, batch(), options);
  CHECK(report.passed());
  CHECK_FALSE(any_note(report, "draws one mask"));
  CHECK(model->at(1)->is_training());  // the mode is restored
}

TEST_CASE("gradcheck_module replays DropConnect and StochasticDepth masks, a branch dropped for the batch is unused") {
  tg::manual_seed(12);
  auto branch = std::make_shared<nn::Sequential>();
  branch->push_back(std::make_shared<nn::Linear>(5, 5));
  branch->push_back(std::make_shared<nn::Tanh>());
  auto model = mlp({std::make_shared<nn::DropConnect>(std::make_shared<nn::Linear>(5, 5), 0.3),
                    std::make_shared<nn::StochasticDepth>(branch, 0.5, nn::StochasticDepthMode::row)});
  const tg::GradcheckReport report = nn::gradcheck_module(*model, {}, batch());
  INFO(report.table());
  CHECK(report.passed());
  CHECK(any_note(report, "'1' (DropConnect(p=0.3)) draws one mask, replayed in every evaluation"));
  CHECK(any_note(report, "StochasticDepth"));
  CHECK(names(report) == std::vector<std::string>{"0.weight", "0.bias", "1.linear.weight", "1.linear.bias",
                                                  "2.branch.0.weight", "2.branch.0.bias", "4.weight", "4.bias"});

  // p = 1 in batch mode drops the branch for the whole batch: its parameters get no
  // gradient and the loss does not change with them.
  auto dropped = mlp({std::make_shared<nn::StochasticDepth>(branch, 1.0, nn::StochasticDepthMode::batch)});
  nn::ModuleGradcheckOptions options;
  const tg::GradcheckReport strict = nn::gradcheck_module(*dropped, {}, batch(), options);
  CHECK(strict.verdict == tg::Verdict::unused);
  CHECK(strict.inputs[2].name == "1.branch.0.weight");
  CHECK(strict.inputs[2].unused);
  options.check.allow_unused = true;
  CHECK(nn::gradcheck_module(*dropped, {}, batch(), options).passed());
}

TEST_CASE("gradcheck_module with BatchNorm on batch statistics and on running statistics") {
  auto model = mlp({std::make_shared<nn::BatchNorm1d>(5)});
  auto bn = std::dynamic_pointer_cast<nn::BatchNorm>(model->at(1));
  {
    tg::NoGradGuard no_grad;  // running statistics away from their initial 0 / 1
    Tensor(bn->running_mean()).copy_(tg::from_vector(std::vector<float>{0.1f, -0.2f, 0.3f, 0.0f, 0.5f}, {5}));
    Tensor(bn->running_var()).copy_(tg::from_vector(std::vector<float>{1.5f, 0.5f, 2.0f, 1.0f, 0.8f}, {5}));
  }
  const std::vector<float> mean_before = bn->running_mean().to_vector<float>();
  const std::int64_t tracked_before = bn->num_batches_tracked();

  nn::ModuleGradcheckOptions options;
  options.batch_norm = nn::BatchNormStatistics::batch;
  const tg::GradcheckReport on_batch = nn::gradcheck_module(*model, {}, batch(), options);
  INFO(on_batch.table());
  CHECK(on_batch.passed());
  CHECK(any_note(on_batch, "'1' (BatchNorm1d(5, eps=1e-05, momentum=0.1)) normalizes with the batch's statistics (train mode)"));

  options.batch_norm = nn::BatchNormStatistics::running;
  const tg::GradcheckReport on_running = nn::gradcheck_module(*model, {}, batch(), options);
  INFO(on_running.table());
  CHECK(on_running.passed());
  CHECK(any_note(on_running, "'1' (BatchNorm1d(5, eps=1e-05, momentum=0.1)) normalizes with the running statistics (eval mode)"));
  // The two modes differentiate different functions.
  CHECK(on_batch.inputs[0].worst[0].analytic != on_running.inputs[0].worst[0].analytic);

  CHECK(bn->is_training());
  CHECK(bn->running_mean().to_vector<float>() == mean_before);
  CHECK(bn->num_batches_tracked() == tracked_before);
}

TEST_CASE("gradcheck_module leaves the module exactly as it began") {
  auto model = mlp({std::make_shared<nn::BatchNorm1d>(5), std::make_shared<nn::Dropout>(0.3)});
  model->at(2)->eval();  // mixed modes: the dropout alone in eval
  // Gradients from a backward the caller has not stepped on yet.
  const nn::data::Batch b = batch();
  tg::cross_entropy((*model)(b.images), b.labels).backward();
  const auto params = model->named_parameters();
  const auto buffers = model->named_buffers();
  std::vector<std::vector<float>> values, grads, buffer_values;
  std::vector<tg::TensorId> ids;
  for (const auto& [name, p] : params) {
    values.push_back(p.to_vector<float>());
    grads.push_back(p.grad().to_vector<float>());
    ids.push_back(p.id());
  }
  for (const auto& [name, t] : buffers)
    if (tg::is_floating(t.dtype())) buffer_values.push_back(t.to_vector<float>());
  const auto stream = tg::default_generator().state();

  nn::ModuleGradcheckOptions options;
  options.mode = nn::ModuleMode::train;
  CHECK(nn::gradcheck_module(*model, {}, b, options).passed());

  const auto after = model->named_parameters();
  for (std::size_t i = 0; i < after.size(); ++i) {
    CHECK(after[i].second.dtype() == tg::f32);
    CHECK(after[i].second.id() == ids[i]);
    CHECK(after[i].second.to_vector<float>() == values[i]);
    REQUIRE(after[i].second.grad().defined());
    CHECK(after[i].second.grad().to_vector<float>() == grads[i]);
  }
  std::size_t k = 0;
  for (const auto& [name, t] : model->named_buffers())
    if (tg::is_floating(t.dtype())) CHECK(t.to_vector<float>() == buffer_values[k++]);
  CHECK(model->is_training());
  CHECK(model->at(1)->is_training());
  CHECK_FALSE(model->at(2)->is_training());
  CHECK(tg::default_generator().state().offset == stream.offset);
  CHECK(tg::default_generator().state().seed == stream.seed);
}

TEST_CASE("gradcheck_module with regression targets and a custom loss") {
  auto model = mlp();
  tg::Generator gen(9);
  const nn::data::Batch b{tg::randn({5, 4}, tg::f32, &gen), tg::randn({5, 3}, tg::f32, &gen)};
  CHECK(nn::gradcheck_module(*model, {}, b).passed());  // mean squared error
  const auto log_cauchy = [](const Tensor& out, const nn::data::Batch& batch) {
    CHECK(batch.labels.dtype() == tg::f64);  // targets arrive in f64
    return tg::mean(tg::log(tg::square(out - batch.labels) + 1.0));
  };
  CHECK(nn::gradcheck_module(*model, log_cauchy, b).passed());
}

TEST_CASE("gradcheck_module refuses bad options, batches and losses") {
  auto model = mlp();
  const nn::data::Batch b = batch();
  nn::ModuleGradcheckOptions options;
  options.parameters = {"2.wieght"};
  CHECK_ERROR(nn::gradcheck_module(*model, {}, b, options),
              "gradcheck_module: options.parameters names '2.wieght', which Sequential does not have (did you mean "
              "'2.weight'?); its parameters: 0.weight, 0.bias, 2.weight, 2.bias");
  options.parameters = {"0.bias", "0.bias"};
  CHECK_ERROR(nn::gradcheck_module(*model, {}, b, options), "gradcheck_module: options.parameters names '0.bias' twice");
  options.parameters = {"0.bias"};
  model->at(0)->requires_grad(false);
  CHECK_ERROR(nn::gradcheck_module(*model, {}, b, options),
              "gradcheck_module: parameter '0.bias' does not require grad (frozen)");
  model->requires_grad(false);
  CHECK_ERROR(nn::gradcheck_module(*model, {}, b),
              "gradcheck_module: every parameter of Sequential is frozen (requires_grad false): nothing to check");
  model->requires_grad(true);
  nn::Tanh no_parameters;
  CHECK_ERROR(nn::gradcheck_module(no_parameters, {}, b), "gradcheck_module: Tanh has no parameters");
  CHECK_ERROR(nn::gradcheck_module(*model, {}, {b.labels, b.labels}),
              "gradcheck_module: batch.images must be a floating tensor, got i64");
  CHECK_ERROR(nn::gradcheck_module(*model, {}, {b.images, Tensor{}}), "gradcheck_module: batch.labels is undefined");
  const auto not_scalar = [](const Tensor& out, const nn::data::Batch&) { return out; };
  CHECK_ERROR(nn::gradcheck_module(*model, not_scalar, b),
              "gradcheck_module: the loss must be a floating scalar, got f64 of shape [6, 3]");
  nn::ModuleGradcheckOptions bad_eps;
  bad_eps.check.eps = 0;
  CHECK_ERROR(nn::gradcheck_module(*model, {}, b, bad_eps), "gradcheck: eps must be finite and in (0, 0.1], got 0");
  nn::ModuleGradcheckOptions bad_mode;
  bad_mode.mode = static_cast<nn::ModuleMode>(7);
  CHECK_ERROR(nn::gradcheck_module(*model, {}, b, bad_mode), "gradcheck_module: options.mode 7 is not a ModuleMode");
  // A failed check leaves the module as it was too.
  CHECK(model->parameters()[0].dtype() == tg::f32);
}

namespace {

// Two inputs through one shared encoder, then a head on both codes.
class Siamese : public nn::MultiInputModule<Siamese> {
 public:
  Siamese() {
    tg::manual_seed(3);
    encoder_ = register_module("encoder", std::make_shared<nn::Linear>(4, 3));
    head_ = register_module("head", std::make_shared<nn::Linear>(6, 1));
  }
  Tensor forward(const Tensor& a, const Tensor& b) {
    return (*head_)(tg::concat({tg::tanh((*encoder_)(a)), tg::tanh((*encoder_)(b))}, 1));
  }
  std::string type_name() const override { return "Siamese"; }

 private:
  std::shared_ptr<nn::Linear> encoder_, head_;
};

}  // namespace

TEST_CASE("gradcheck_module with an objective checks a module of two inputs by name") {
  auto net = std::make_shared<Siamese>();
  tg::Generator gen(9);
  const Tensor a = tg::randn({5, 4}, tg::f64, &gen), b = tg::randn({5, 4}, tg::f64, &gen);
  const auto objective = [&](nn::Module& m) { return tg::mean(tg::square(m(a, b))); };
  const tg::GradcheckReport report = nn::gradcheck_module(*net, objective);
  CHECK(report.passed());
  std::vector<std::string> names;
  for (const auto& in : report.inputs) names.push_back(in.name);
  CHECK(names == std::vector<std::string>{"encoder.weight", "encoder.bias", "head.weight", "head.bias"});
  // The module is f32 again afterwards, its parameters untouched.
  CHECK(net->parameters()[0].dtype() == tg::f32);

  // An objective that detaches the output reaches no parameter: every one is unused.
  const auto detached = [&](nn::Module& m) { return tg::mean(tg::square(m(a, b).detach())); };
  const tg::GradcheckReport none = nn::gradcheck_module(*net, detached);
  CHECK_FALSE(none.passed());
  CHECK(none.inputs[0].verdict == tg::Verdict::unused);
  CHECK_ERROR(nn::gradcheck_module(*net, nn::ModuleObjective{}), "gradcheck_module: the objective is an empty function");
}
