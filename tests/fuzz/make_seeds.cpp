// Writes the seed corpus of each fuzz target with the project's own writers, so the
// seeds follow the formats as tapegrad writes them (no binary files in the repository).
// Usage: tapegrad_fuzz_seeds <dir>; makes <dir>/<target>/ for each target.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include <tapegrad/nn/checkpoint.hpp>
#include <tapegrad/nn/data/idx.hpp>
#include <tapegrad/nn/safetensors.hpp>
#include <tapegrad/tapegrad.hpp>

#include "fuzz_support.hpp"
#include <tapegrad/train/search/results.hpp>

#include "run_state.hpp"

namespace fs = std::filesystem;

namespace {

std::string folder(const fs::path& root, const char* target) {
  fs::create_directories(root / target);
  return (root / target).string() + "/";
}

void safetensors_seeds(const std::string& dir) {
  const tg::Tensor w = tg::reshape(tg::arange(0.0, 6.0), {2, 3});
  tg::nn::save_safetensors(dir + "mixed.safetensors",
                           {{"w", w}, {"b", tg::ones({3}, tg::f64)}, {"n", tg::zeros({}, tg::i64)},
                            {"e", tg::zeros({0, 4})}, {"t", tg::transpose(w, 0, 1)}},
                           {{"epoch", "3"}, {"note", "seed"}});
  tg::nn::save_safetensors(dir + "metadata_only.safetensors", {}, {{"k", "v"}});
  tg::nn::save_safetensors(dir + "empty.safetensors", {});
}

void checkpoint_seeds(const std::string& dir) {
  tg::manual_seed(1);
  const auto model = tg::fuzz::checkpoint_model();
  tg::nn::save_checkpoint(dir + "model.safetensors", model->state_dict());
  tg::nn::save_checkpoint(dir + "model_optimizer.safetensors", model->state_dict(),
                          {{"steps", tg::full({}, 10.0, tg::f64)}, {"0.exp_avg", tg::zeros({3, 4})}},
                          {{"epoch", "2"}, {"validation_accuracy", "0.5"}});
}

void idx_seeds(const std::string& plain_dir, const std::string& gzip_target_dir) {
  using tg::nn::data::IdxArray;
  const std::uint8_t u8[] = {0, 1, 2, 3, 254, 255};
  const std::int32_t i32[] = {-1, 0, 7, 1 << 30};
  const float f32[] = {0.5f, -1.0f, 3.0f, 1e30f};
  const double f64[] = {-2.5};
  const std::pair<const char*, IdxArray> arrays[] = {
      {"u8", IdxArray::from_u8({2, 3}, u8)},
      {"i32", IdxArray::from_i32({4}, i32)},
      {"f32", IdxArray::from_f32({2, 1, 2}, f32)},
      {"f64", IdxArray::from_f64({1}, f64)},
      {"empty", IdxArray::from_u8({0, 28, 28}, {})},
  };
  for (const auto& [name, array] : arrays) {
    tg::nn::data::write_idx(plain_dir + name + ".idx", array);
    tg::nn::data::write_idx(plain_dir + name + ".idx.gz", array, tg::nn::data::IdxCompression::gzip);
    // The gzip target compresses its input itself: its seeds are plain files.
    tg::nn::data::write_idx(gzip_target_dir + name + ".idx", array);
  }
}

void search_results_seeds(const std::string& dir) {
  using namespace tg::train::search;
  const std::string path = dir + "search.jsonl";
  ResultsFile results(path, tg::fuzz::results_header(), /*fresh=*/true);
  results.append({{1, 0, {{"lr", 1e-3}, {"weight_decay", 0.0}}, 2, 1000}, 0.81, 0.52, 3.5, "val0.8100-stage1-trial00.safetensors"});
  results.append({{1, 1, {{"lr", 3e-2}, {"weight_decay", 1e-4}}, 2, 1000}, 0.64, 1.02, 3.25, ""});
  results.append({{2, 0, {{"lr", 2e-3}, {"weight_decay", 1e-5}}, 4, 0}, 0.86, 0.41, 7.0, ""});
  ResultsFile(dir + "header_only.jsonl", tg::fuzz::results_header(), /*fresh=*/true);
}

void run_state_seeds(const std::string& dir) {
  tg::train::detail::RunState state;
  state.epoch = 2;
  state.step = 40;
  state.generator = {7, 1234};
  state.model = {{"0.weight", tg::ones({2, 3})}, {"0.bias", tg::zeros({2})}};
  state.optimizer = {{"steps", tg::zeros({}, tg::f64)}};
  state.best = state.model;
  state.best_epoch = 1;
  state.checkpoints = {"run-epoch01-val0.5000.safetensors"};
  state.best_checkpoint = "run-best.safetensors";
  for (std::int64_t e = 1; e <= 2; ++e) {
    tg::train::EpochRecord r;
    r.epoch = e;
    r.train_loss = 1.0 / static_cast<double>(e);
    r.validation = {0.5, e == 1 ? 0.5 : std::nan("")};  // NaN: a regression run's accuracy
    r.averaged_validation = r.validation;
    r.best = e == 1;
    state.history.push_back(r);
  }
  tg::train::detail::save_run_state(dir + "run.safetensors", state);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <seed dir>\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  try {
    safetensors_seeds(folder(root, "fuzz_safetensors"));
    checkpoint_seeds(folder(root, "fuzz_checkpoint"));
    idx_seeds(folder(root, "fuzz_idx"), folder(root, "fuzz_idx_gzip"));
    search_results_seeds(folder(root, "fuzz_search_results"));
    run_state_seeds(folder(root, "fuzz_run_state"));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tapegrad_fuzz_seeds: %s\n", e.what());
    return 1;
  }
  return 0;
}
