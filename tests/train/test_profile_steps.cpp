// ProfileSteps: a Trainer callback that profiles a range of training steps with
// tg::Profiler and keeps (and prints) the table.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include <tapegrad/nn/nn.hpp>
#include <tapegrad/tapegrad.hpp>
#include <tapegrad/train/profile_steps.hpp>
#include <tapegrad/train/trainer.hpp>

#include "check_error.hpp"

using namespace tg::train;

namespace {

TrainResult fit_small(const std::shared_ptr<Callback>& callback, std::int64_t epochs) {
  tg::manual_seed(3);
  const tg::Tensor x = tg::randn({96, 4});
  const tg::Tensor y = (tg::rand({96}, tg::f64) * 3.0).to(tg::i64);
  const tg::nn::data::Dataset rows{x, y};
  auto model = std::make_shared<tg::nn::Sequential>();
  model->push_back(std::make_shared<tg::nn::Linear>(4, 8));
  model->push_back(std::make_shared<tg::nn::ReLU>());
  model->push_back(std::make_shared<tg::nn::Linear>(8, 3));
  Trainer trainer(model, {.epochs = epochs, .batch_size = 16, .optimizer = "adam", .schedule = "none"});
  trainer.add_callback(callback);
  return trainer.fit({rows, rows, rows});  // 6 steps per epoch
}

}  // namespace

TEST_CASE("ProfileSteps times the steps of its range: ops forward and backward, the optimizer") {
  auto profile = std::make_shared<ProfileSteps>(3, 4);
  fit_small(profile, 2);
  REQUIRE(profile->report().has_value());
  const tg::ProfileReport& report = *profile->report();
  CHECK(report.steps == 4);
  auto calls = [&](const std::string& name) -> std::int64_t {
    for (const auto& row : report.rows)
      if (row.name == name) return row.calls;
    return -1;
  };
  CHECK(calls("linear") == 8);  // two layers, four steps
  CHECK(calls("linear backward") == 8);
  CHECK(calls("relu backward") == 4);
  CHECK(calls("optimizer step") == 4);
  CHECK(report.wall_seconds > 0);
}

TEST_CASE("ProfileSteps prints its table at the end of a run, also one shorter than its range") {
  std::FILE* out = std::tmpfile();
  REQUIRE(out != nullptr);
  auto profile = std::make_shared<ProfileSteps>(5, 100, out);
  fit_small(profile, 1);  // 6 steps: steps 5 and 6 are profiled
  REQUIRE(profile->report().has_value());
  CHECK(profile->report()->steps == 2);
  std::rewind(out);
  std::string text(4096, '\0');
  text.resize(std::fread(text.data(), 1, text.size(), out));
  std::fclose(out);
  CHECK(text.find("time per training step (steps 5 to 6") != std::string::npos);
  CHECK(text.find("ms/step") != std::string::npos);
  CHECK(text.find("optimizer step") != std::string::npos);
}

TEST_CASE("ProfileSteps after the run's last step records nothing, and its range must be positive") {
  auto profile = std::make_shared<ProfileSteps>(50, 2);
  fit_small(profile, 1);
  CHECK_FALSE(profile->report().has_value());
  CHECK_ERROR(ProfileSteps(0, 5), "ProfileSteps: the first profiled step is 0, expected >= 1");
  CHECK_ERROR(ProfileSteps(1, 0), "ProfileSteps: 0 steps to profile, expected >= 1");
}
