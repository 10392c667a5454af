// Checkpoints: a model's and an optimizer's state in one safetensors file, so that a
// run stopped after a checkpoint resumes exactly where it was.
#include <doctest/doctest.h>

#include <cstdlib>
#include <tapegrad/nn/checkpoint.hpp>
#include <tapegrad/optim/optim.hpp>
#include <tapegrad/tapegrad.hpp>

#include "checkpoint_test_files.hpp"

using checkpoint_test::TempDir;
using tg::Tensor;

namespace {

// Least squares on a fixed problem: loss = mean((x w - y)^2).
void adam_steps(tg::optim::Optimizer& opt, const Tensor& w, int steps) {
  tg::Generator gen(7);
  const Tensor x = tg::randn({16, 4}, tg::f32, &gen), y = tg::randn({16, 1}, tg::f32, &gen);
  for (int i = 0; i < steps; ++i) {
    opt.zero_grad();
    tg::mse_loss(tg::matmul(x, w), y).backward();
    opt.step();
  }
}

}  // namespace

TEST_CASE("checkpoint resuming Adam from a checkpoint continues bit for bit like an uninterrupted run") {
  TempDir dir;
  const Tensor start = tg::from_vector(std::vector<float>{0.5f, -1.0f, 0.25f, 2.0f}, {4, 1});
  Tensor w_straight = start.clone().requires_grad_();
  auto straight = tg::optim::create("adam", {w_straight}, {{"lr", 0.05}});
  adam_steps(*straight, w_straight, 10);

  Tensor w_first = start.clone().requires_grad_();
  auto first = tg::optim::create("adam", {w_first}, {{"lr", 0.05}});
  adam_steps(*first, w_first, 4);
  tg::nn::save_checkpoint(dir.file("run.safetensors"), {{"w", w_first}}, first->state_dict(), {{"epoch", "4"}});

  const tg::nn::Checkpoint ckpt = tg::nn::load_checkpoint(dir.file("run.safetensors"));
  CHECK(ckpt.metadata == std::map<std::string, std::string>{{"epoch", "4"}});
  CHECK(ckpt.optimizer_state.at("steps").dim() == 0);  // 0-d f64 tensors survive as shape []
  CHECK(ckpt.optimizer_state.at("steps").item() == 4.0);
  Tensor w_resumed = ckpt.model_state.at("w").clone().requires_grad_();
  auto resumed = tg::optim::create("adam", {w_resumed}, {{"lr", 0.05}});
  resumed->load_state_dict(ckpt.optimizer_state);
  adam_steps(*resumed, w_resumed, 6);  // the same 6 remaining steps (the data is fixed)

  CHECK(w_resumed.to_vector<float>() == w_straight.to_vector<float>());
  CHECK(w_resumed.to_vector<float>() != start.to_vector<float>());
}

TEST_CASE("checkpoint files use the model. and optimizer. key prefixes") {
  TempDir dir;
  tg::nn::save_checkpoint(dir.file("c.safetensors"), {{"fc.weight", tg::ones({2, 2})}},
                          {{"steps", tg::scalar_tensor(3.0, tg::f64)}});
  const auto raw = tg::nn::load_safetensors(dir.file("c.safetensors"));
  CHECK(raw.size() == 2);
  CHECK(raw.count("model.fc.weight") == 1);
  CHECK(raw.count("optimizer.steps") == 1);
  const tg::nn::Checkpoint ckpt = tg::nn::load_checkpoint(dir.file("c.safetensors"));
  CHECK(ckpt.model_state.at("fc.weight").to_vector<float>() == std::vector<float>{1, 1, 1, 1});
  CHECK(ckpt.optimizer_state.at("steps").item() == 3.0);
  CHECK(ckpt.metadata.empty());
  // Model only: the optimizer state is empty.
  tg::nn::save_checkpoint(dir.file("m.safetensors"), {{"b", tg::zeros({3})}});
  CHECK(tg::nn::load_checkpoint(dir.file("m.safetensors")).optimizer_state.empty());
}

TEST_CASE("checkpoint loading a plain safetensors file names the unprefixed key") {
  TempDir dir;
  tg::nn::save_safetensors(dir.file("plain.safetensors"), {{"weight", tg::ones({1})}});
  const std::string expected = "load_checkpoint: '" + dir.file("plain.safetensors") +
                               "': tensor 'weight' starts with neither \"model.\" nor \"optimizer.\"";
  CHECK_THROWS_WITH_AS(tg::nn::load_checkpoint(dir.file("plain.safetensors")), doctest::Contains(expected.c_str()),
                       tg::Error);
}

// Also the fixture of tests/safetensors_python_test.sh: with TAPEGRAD_CHECKPOINT_SAMPLE
// set, the file is written there for Python's safetensors to read.
TEST_CASE("checkpoint sample file round trip") {
  TempDir dir;
  const char* env = std::getenv("TAPEGRAD_CHECKPOINT_SAMPLE");
  const std::string path = env != nullptr ? std::string(env) : dir.file("sample.safetensors");
  const Tensor weight = tg::transpose(tg::from_vector(std::vector<float>{0, 0.5, 1, 1.5, 2, 2.5}, {3, 2}), 0, 1);
  tg::nn::save_checkpoint(path, {{"weight", weight}, {"labels", tg::from_vector(std::vector<std::int64_t>{-1, 0, 1, 1LL << 40}, {4})}},
                          {{"steps", tg::scalar_tensor(7.0, tg::f64)}}, {{"epoch", "3"}});
  const tg::nn::Checkpoint ckpt = tg::nn::load_checkpoint(path);
  CHECK(ckpt.model_state.at("weight").shape() == tg::Shape{2, 3});
  CHECK(ckpt.model_state.at("weight").to_vector<float>() == std::vector<float>{0, 1, 2, 0.5, 1.5, 2.5});
  CHECK(ckpt.model_state.at("labels").to_vector<std::int64_t>() == std::vector<std::int64_t>{-1, 0, 1, 1LL << 40});
  CHECK(ckpt.optimizer_state.at("steps").item() == 7.0);
  CHECK(ckpt.metadata.at("epoch") == "3");
}
