// The Fashion-MNIST optimizer race on a small slice: every optimizer starts from the
// same network on the same batches, and mlp5x100 has five hidden layers of 100 units.
#include <doctest/doctest.h>

#include <cmath>
#include <tapegrad/parallel.hpp>
#include <tapegrad/tapegrad.hpp>
#include <tapegrad/train/fashion_mnist.hpp>
#include <tapegrad/train/models.hpp>

#include <tapegrad/train/race/fashion_race.hpp>

namespace {

tg::nn::data::Dataset first_images(const tg::nn::data::Dataset& d, std::int64_t n) {
  std::vector<std::int64_t> indices;
  for (std::int64_t i = 0; i < n; ++i) indices.push_back(i);
  return d.subset(indices);
}

// A network this small trains fastest on one thread; on a loaded machine OpenMP's
// spinning threads make it ten times slower.
class OneThread {
 public:
  OneThread() : before_(tg::get_num_threads()) { tg::set_num_threads(1); }
  ~OneThread() { tg::set_num_threads(before_); }
  OneThread(const OneThread&) = delete;
  OneThread& operator=(const OneThread&) = delete;

 private:
  int before_;
};

}  // namespace

TEST_CASE("mlp5x100: five hidden layers of 100 units, 119910 parameters") {
  // 784*100 + 100, four times 100*100 + 100, then 100*10 + 10.
  CHECK(tg::nn::make_model("mlp5x100")->num_parameters() == 78500 + 4 * 10100 + 1010);
}

TEST_CASE("fashion race: the same start for every optimizer, reproducible, and adam learns in 30 iterations") {
  const OneThread one_thread;
  const auto full = tg::train::load_fashion_mnist(tg::train::FashionMnistSplit::train);
  const auto train = first_images(full, 640);
  const tg::nn::data::Dataset test{};  // no evaluation
  const tg::train::FashionRaceSettings settings{.iterations = 30, .batch_size = 64, .final_loss_window = 5};
  const auto sgd = tg::train::run_fashion_race(train, test, "sgd", tg::train::default_fashion_options("sgd"), settings);
  const auto adam = tg::train::run_fashion_race(train, test, "adam", tg::train::default_fashion_options("adam"), settings);
  const auto again = tg::train::run_fashion_race(train, test, "adam", tg::train::default_fashion_options("adam"), settings);
  REQUIRE(sgd.loss.size() == 30);
  // Same initialization and first batch: the first loss (before any step) is the same,
  // at chance, -ln(1/10), since the classifier starts with std 0.01.
  CHECK(sgd.loss[0] == adam.loss[0]);
  CHECK(adam.loss[0] == doctest::Approx(std::log(10.0)).epsilon(0.02));
  CHECK(again.loss == adam.loss);
  CHECK(sgd.lr == 0.1);
  CHECK(adam.lr == 0.001);
  double last5 = 0;
  for (std::size_t i = 25; i < 30; ++i) last5 += adam.loss[i] / 5;
  CHECK(adam.final_loss == doctest::Approx(last5).epsilon(1e-12));
  CHECK(adam.final_loss < 0.6 * adam.loss[0]);
  CHECK(adam.final_loss < sgd.final_loss);
}

TEST_CASE("fashion race: default lrs per optimizer and clear errors") {
  CHECK(tg::train::default_fashion_options("rmsprop").number("lr") == 0.001);
  CHECK(tg::train::default_fashion_options("adagrad").number("lr") == 0.01);
  CHECK(tg::train::default_fashion_options("sign_sgd").empty());  // a plug-in keeps its own default
  const auto full = tg::train::load_fashion_mnist(tg::train::FashionMnistSplit::train);
  CHECK_THROWS_WITH(tg::train::run_fashion_race(first_images(full, 100), {}, "sgd", {}, {.batch_size = 128}),
                    "bench: the training set (100 images) is smaller than a batch (128)");
  CHECK_THROWS_WITH(tg::train::run_fashion_race(first_images(full, 100), {}, "sgd", {}, {.iterations = 0}),
                    "bench: --iterations must be at least 1, got 0");
}
