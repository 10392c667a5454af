// tapegrad search's space: log-uniform and linear sampling, reproducible seeds,
// coarse-to-fine narrowing, the border warning, and --range parsing errors.
#include <doctest/doctest.h>

#include <array>
#include <cmath>

#include <tapegrad/error.hpp>

#include <tapegrad/train/search/space.hpp>
#include <tapegrad/train/search/training_trial.hpp>

using namespace tg::train::search;

namespace {

SearchSpace lr_and_dropout() {
  return {{{"lr", 1e-5, 1e-1, Scale::log}, {"dropout", 0.0, 0.7, Scale::linear}}};
}

}  // namespace

TEST_CASE("search sampling: log-uniform lr over [1e-6, 10] puts 1/7 of 10000 draws in each decade") {
  const SearchSpace space{{{"lr", 1e-6, 1e1, Scale::log}}};
  constexpr int kDraws = 10000;
  std::array<int, 7> per_decade{};
  for (int trial = 0; trial < kDraws; ++trial) {
    const double lr = sample(space, 0, 1, trial).at("lr");
    REQUIRE(lr >= 1e-6);
    REQUIRE(lr <= 1e1);
    const int decade = std::min(6, static_cast<int>(std::floor(std::log10(lr) + 6)));
    ++per_decade[static_cast<std::size_t>(decade)];
  }
  // Binomial(10000, 1/7): standard deviation sqrt(10000 * 1/7 * 6/7) = 35 draws; allow 4.
  for (int count : per_decade) CHECK(std::abs(count - kDraws / 7.0) < 140);
}

TEST_CASE("search sampling: linear dropout over [0, 0.7] is uniform: half the draws below 0.35") {
  const SearchSpace space{{{"dropout", 0.0, 0.7, Scale::linear}}};
  constexpr int kDraws = 10000;
  int below_middle = 0;
  double sum = 0;
  for (int trial = 0; trial < kDraws; ++trial) {
    const double p = sample(space, 3, 1, trial).at("dropout");
    REQUIRE(p >= 0);
    REQUIRE(p <= 0.7);
    below_middle += p < 0.35;
    sum += p;
  }
  CHECK(std::abs(below_middle - kDraws / 2) < 200);         // sd 50
  CHECK(sum / kDraws == doctest::Approx(0.35).epsilon(0.02));  // sd of the mean 0.002
}

TEST_CASE("search sampling: a trial's values depend only on (seed, stage, trial)") {
  const SearchSpace space = lr_and_dropout();
  const Configuration a = sample(space, 7, 1, 5);
  CHECK(a == sample(space, 7, 1, 5));
  CHECK(a.size() == 2);
  CHECK(a != sample(space, 8, 1, 5));  // another seed
  CHECK(a != sample(space, 7, 2, 5));  // another stage
  CHECK(a != sample(space, 7, 1, 6));  // another trial
  // The two ranges of one trial are drawn independently: not the same unit position.
  CHECK(space.at("lr").to_unit(a.at("lr")) != doctest::Approx(space.at("dropout").to_unit(a.at("dropout"))));
}

TEST_CASE("search narrowing: the span of the best, padded a quarter (in log10 for lr), clipped to the range") {
  const SearchSpace original = lr_and_dropout();
  // lr 1e-3 and 1e-2 are at 1/2 and 3/4 of log10 [-5, -1]; the span 1/4 is padded by
  // 1/16 on each side: [10^(-5 + 4 * 7/16), 10^(-5 + 4 * 13/16)] = [10^-3.25, 10^-1.75].
  // dropout 0.1 and 0.2 span 1/7 of [0, 0.7]; a quarter of that is below the minimum
  // padding of 1/20 of the range, 0.035: [0.065, 0.235].
  const SearchSpace narrowed = narrow(original, {{{"lr", 1e-3}, {"dropout", 0.1}}, {{"lr", 1e-2}, {"dropout", 0.2}}});
  CHECK(narrowed.at("lr").low == doctest::Approx(std::pow(10.0, -3.25)));
  CHECK(narrowed.at("lr").high == doctest::Approx(std::pow(10.0, -1.75)));
  CHECK(narrowed.at("lr").scale == Scale::log);
  CHECK(narrowed.at("dropout").low == doctest::Approx(0.065));
  CHECK(narrowed.at("dropout").high == doctest::Approx(0.235));

  // Near a border the padding is cut at the original range.
  const SearchSpace at_border = narrow(original, {{{"lr", 0.09}, {"dropout", 0.0}}});
  CHECK(at_border.at("lr").high == 0.1);
  CHECK(at_border.at("lr").low == doctest::Approx(std::pow(10.0, std::log10(0.09) - 0.05 * 4)));
  CHECK(at_border.at("dropout").low == 0.0);
  CHECK(at_border.at("dropout").high == doctest::Approx(0.035));
}

TEST_CASE("search narrowing: the narrowed space lies in the original and holds every best value") {
  const SearchSpace original = lr_and_dropout();
  std::vector<Configuration> best;
  for (int trial = 0; trial < 3; ++trial) best.push_back(sample(original, 11, 1, trial));
  const SearchSpace narrowed = narrow(original, best);
  for (const Range& range : narrowed.ranges) {
    CHECK(range.low >= original.at(range.name).low);
    CHECK(range.high <= original.at(range.name).high);
    CHECK(range.high - range.low < original.at(range.name).high - original.at(range.name).low);
    for (const Configuration& values : best) {
      CHECK(values.at(range.name) >= range.low);
      CHECK(values.at(range.name) <= range.high);
    }
  }
}

TEST_CASE("search border warning: fires within a tenth of the (log) span of a border, not in the middle") {
  const SearchSpace space = lr_and_dropout();
  // log10 0.095 = -1.022, at 0.994 of [-5, -1]; dropout 0.35 is the middle.
  const auto upper = border_warnings(space, {{"lr", 0.095}, {"dropout", 0.35}});
  REQUIRE(upper.size() == 1);
  CHECK(upper[0].range == "lr");
  CHECK(upper[0].upper);
  CHECK(upper[0].message == "best lr 0.095 lies at the upper border of [1e-05, 0.1]: widen the range");

  // 1.5e-5 is at 0.044 of the log span; dropout 0.65 at 0.93 of [0, 0.7].
  const auto both = border_warnings(space, {{"lr", 1.5e-5}, {"dropout", 0.65}});
  REQUIRE(both.size() == 2);
  CHECK(both[0].message == "best lr 1.5e-05 lies at the lower border of [1e-05, 0.1]: widen the range");
  CHECK(both[1].message == "best dropout 0.65 lies at the upper border of [0, 0.7]: widen the range");

  // 1e-3 is the log middle; 1e-4.5 is at 0.125, dropout 0.6 at 0.857: inside the 10% bands.
  CHECK(border_warnings(space, {{"lr", 1e-3}, {"dropout", 0.35}}).empty());
  CHECK(border_warnings(space, {{"lr", std::pow(10.0, -4.5)}, {"dropout", 0.6}}).empty());
}

TEST_CASE("search --range parsing: scales, defaults and the messages of bad input") {
  const Range lr = parse_range("lr=1e-5:1e-1:log");
  CHECK(lr.name == "lr");
  CHECK(lr.low == 1e-5);
  CHECK(lr.high == 0.1);
  CHECK(lr.scale == Scale::log);
  CHECK(lr.str() == "lr=1e-05:0.1:log");
  CHECK(parse_range("dropout=0:0.5").scale == Scale::linear);  // without a scale: dropout linear,
  CHECK(parse_range("weight_decay=1e-6:1e-2").scale == Scale::log);  // the rest log
  CHECK(parse_range("beta2=0.9:0.999:linear").scale == Scale::linear);
  CHECK(parse_space({}).str() == "lr=1e-05:0.1:log weight_decay=1e-06:0.1:log dropout=0:0.7:linear");

  CHECK_THROWS_WITH_AS(parse_range("lr=1e-3"),
                       "--range 'lr=1e-3': expected name=low:high[:scale] (low and high separated by ':'), e.g. "
                       "lr=1e-5:1e-1:log",
                       tg::Error);
  CHECK_THROWS_WITH_AS(parse_range("1e-5:1e-1"),
                       "--range '1e-5:1e-1': expected name=low:high[:scale], e.g. lr=1e-5:1e-1:log or "
                       "dropout=0:0.7:linear",
                       tg::Error);
  CHECK_THROWS_WITH_AS(parse_range("lr=0.1:0.01:log"), "--range 'lr=0.1:0.01:log': low 0.1 must be below high 0.01",
                       tg::Error);
  CHECK_THROWS_WITH_AS(parse_range("lr=0.1:0.1"), "--range 'lr=0.1:0.1': low 0.1 must be below high 0.1", tg::Error);
  CHECK_THROWS_WITH_AS(parse_range("lr=0:0.1:log"),
                       "--range 'lr=0:0.1:log': a log range needs low > 0, got 0 (use :linear for a range that "
                       "includes 0)",
                       tg::Error);
  CHECK_THROWS_WITH_AS(parse_range("lr=1e-5:0.1:cubic"), "--range 'lr=1e-5:0.1:cubic': unknown scale 'cubic'; known: log, linear",
                       tg::Error);
  CHECK_THROWS_WITH_AS(parse_range("lr=fast:0.1"), "--range 'lr=fast:0.1': low 'fast' is not a finite number",
                       tg::Error);
  CHECK_THROWS_WITH_AS(parse_range("lr=1e-5:inf"), "--range 'lr=1e-5:inf': high 'inf' is not a finite number",
                       tg::Error);
  CHECK_THROWS_WITH_AS(parse_space({"lr=1e-5:0.1", "lr=1e-4:0.1"}), "--range: 'lr' is given twice", tg::Error);
}

TEST_CASE("search ranges: a name must be dropout or a number option of the optimizer, within its values") {
  TrialSettings settings;  // mlp, adamw
  CHECK_NOTHROW(settings.validate(parse_space({})));
  CHECK_THROWS_WITH_AS(settings.validate(parse_space({"momentum=0.5:0.9"})),
                       doctest::Contains("--range 'momentum=0.5:0.9:log': 'momentum' is neither dropout nor an option "
                                         "of adamw; known: dropout, lr, beta1"),
                       tg::Error);
  CHECK_THROWS_WITH_AS(settings.validate(parse_space({"beta1=0.5:1.5:linear"})),
                       "--range 'beta1=0.5:1.5:linear': option 'beta1' must satisfy 0 <= beta1 < 1, got 1.5",
                       tg::Error);
  CHECK_THROWS_WITH_AS(settings.validate(parse_space({"dropout=0.2:1"})),
                       "--range 'dropout=0.2:1:linear': dropout must lie in [0, 1)", tg::Error);
  settings.optimizer_options.set("lr", 0.01);
  CHECK_THROWS_WITH_AS(settings.validate(parse_space({"lr=1e-4:1e-2"})),
                       "search: 'lr' is given both as --range and as --opt", tg::Error);
  settings.optimizer = "adamax";
  CHECK_THROWS_WITH_AS(settings.validate(parse_space({})), doctest::Contains("adamax"), tg::Error);
}

TEST_CASE("search trials: dropout goes to the model, every other value to the optimizer") {
  TrialSettings settings;
  settings.optimizer_options.set("beta2", 0.99);
  settings.seed = 4;
  const TrialSpec spec{2, 3, {{"dropout", 0.25}, {"lr", 0.002}}, 3, 1000};
  const tg::train::TrainData data{{tg::zeros({4, 1, 28, 28}), tg::zeros({4}, tg::i64)}, {}, {}};
  const TrainerTrialSetup setup = trainer_trial_setup(settings, data);
  const auto [config, model_values] = split_trial_values(setup, spec);
  CHECK(model_values == Configuration{{"dropout", 0.25}});
  CHECK(config.run_name == "mlp");
  CHECK(config.checkpoint_metadata.at("model") == "mlp");
  CHECK(config.checkpoint_metadata.at("dropout") == "0.25");
  CHECK(config.optimizer == "adamw");
  CHECK(config.optimizer_options.number("lr") == 0.002);
  CHECK(config.optimizer_options.number("beta2") == 0.99);
  CHECK_FALSE(config.optimizer_options.contains("dropout"));
  CHECK(config.epochs == 3);
  CHECK(config.seed == 4);
  CHECK(config.checkpoint_dir.empty());
  // The model gets the trial's dropout: mlp = flatten, linear, relu, dropout, ...
  const auto model = setup.make_model(model_values);
  CHECK(model->to_string().find("Dropout(p=0.25)") != std::string::npos);
  CHECK(checkpoint_file_name(0.87344, 1, 7) == "val0.8734-stage1-trial07.safetensors");
}
