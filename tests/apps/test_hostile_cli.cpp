// The command line's defenses against hostile and clumsy input: numbers parsed exactly
// against their ranges (cli/number_range.hpp), output folders checked before a run
// (cli/output_folder.hpp), temporary files of killed saves cleaned up, damaged
// checkpoint metadata refused, and a failed save that does not lose the run's results.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <limits>
#include <string>

#include <tapegrad/nn/checkpoint.hpp>
#include <tapegrad/tapegrad.hpp>
#include <tapegrad/train/models.hpp>

#include "check_error.hpp"
#include <tapegrad/train/diagnostics/ensemble.hpp>
#include <tapegrad/train/number_range.hpp>
#include <tapegrad/train/output_folder.hpp>
#include "temp_dir.hpp"
#include <tapegrad/train/trainer.hpp>

using namespace tg::train;

namespace {

// The id of a process that has exited (and been reaped): no process has it, until the
// system hands it out again, which takes a full turn of the pid space.
pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

void touch(const std::string& path) { std::ofstream(path) << "partial"; }

// A tiny dataset of blank 28x28 images, for what fails before predicting anything.
tg::nn::data::Dataset blank_images(std::int64_t n) {
  return {tg::zeros({n, 1, 28, 28}), tg::zeros({n}, tg::i64)};
}

// Environment variables set for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

}  // namespace

TEST_CASE("cli numbers: integers are exact, in range, and name the option, the text and the range") {
  const tg::train::IntRange epochs{1, 100'000};
  CHECK(tg::train::parse_in_range("train: --epochs", "12", epochs) == 12);
  CHECK(tg::train::parse_in_range("train: --epochs", "+12", epochs) == 12);
  CHECK(tg::train::parse_in_range("train: --epochs", "100000", epochs) == 100'000);
  CHECK_ERROR(tg::train::parse_in_range("train: --epochs", "99999999999999999999", epochs),
              "train: --epochs '99999999999999999999' is out of range: expected an integer in [1, 100000]");
  CHECK_ERROR(tg::train::parse_in_range("train: --epochs", "0", epochs), "'0' is out of range");
  CHECK_ERROR(tg::train::parse_in_range("train: --epochs", "", epochs),
              "train: --epochs '' is not an integer: expected an integer in [1, 100000]");
  for (const char* text : {"1e3", "0x10", " 3", "3 ", "3.0", "three", "--3", "+-3"})
    CHECK_ERROR(tg::train::parse_in_range("train: --epochs", text, epochs), "is not an integer");
}

TEST_CASE("cli numbers: a seed takes every 64-bit value and refuses negatives and 2^64") {
  CHECK(tg::train::parse_in_range("--seed", "18446744073709551615", tg::train::kAnySeed) ==
        std::numeric_limits<std::uint64_t>::max());
  CHECK(tg::train::parse_in_range("--seed", "0", tg::train::kAnySeed) == 0);
  CHECK_ERROR(tg::train::parse_in_range("--seed", "-1", tg::train::kAnySeed),
              "--seed '-1' is out of range: expected an integer in [0, 18446744073709551615]");
  CHECK_ERROR(tg::train::parse_in_range("--seed", "18446744073709551616", tg::train::kAnySeed), "is out of range");
  CHECK_ERROR(tg::train::parse_in_range("--seed", "-", tg::train::kAnySeed), "'-' is not an integer");
}

TEST_CASE("cli numbers: floating point ranges refuse inf, NaN and open ends") {
  CHECK(tg::train::parse_in_range("--lr", "1e-3", tg::train::kPositive) == 1e-3);
  CHECK_ERROR(tg::train::parse_in_range("--lr", "inf", tg::train::kPositive), "'inf' is out of range: expected a number in (0, inf)");
  CHECK_ERROR(tg::train::parse_in_range("--lr", "nan", tg::train::kPositive), "'nan' is out of range");
  CHECK_ERROR(tg::train::parse_in_range("--lr", "0", tg::train::kPositive), "'0' is out of range");
  CHECK_ERROR(tg::train::parse_in_range("--lr", "1e400", tg::train::kPositive), "'1e400' is out of range");
  CHECK_ERROR(tg::train::parse_in_range("--lr", "0.1x", tg::train::kPositive), "'0.1x' is not a number");
  CHECK(tg::train::parse_in_range("--dropout", "0", tg::train::kBelowOne) == 0);
  CHECK_ERROR(tg::train::parse_in_range("--dropout", "1", tg::train::kBelowOne), "expected a number in [0, 1)");
  const tg::train::RealRange eps{1e-12, 0.1};
  CHECK_ERROR(tg::train::parse_in_range("gradcheck: --eps", "1e300", eps),
              "gradcheck: --eps '1e300' is out of range: expected a number in [1e-12, 0.1]");
}

TEST_CASE("output folders: missing ones are made, unusable ones are errors naming the folder and the reason") {
  const TempDir dir;
  tg::train::prepare_output_folder("train: --checkpoint-dir", dir.file("a/b"));
  CHECK(std::filesystem::is_directory(dir.file("a/b")));
  touch(dir.file("file"));
  CHECK_ERROR(tg::train::prepare_output_folder("train: --checkpoint-dir", dir.file("file")),
              "train: --checkpoint-dir: cannot use the folder '" + dir.file("file") + "': it is a file, not a folder");
  CHECK_ERROR(tg::train::prepare_output_folder("train: --checkpoint-dir", dir.file("file/sub")),
              "cannot use the folder '" + dir.file("file/sub") + "': cannot create it: Not a directory");
  CHECK_ERROR(tg::train::prepare_folder_of("search: --results '/proc/nope/x'", "/proc/nope/x"),
              "search: --results '/proc/nope/x': cannot use the folder '/proc/nope': cannot create it: No such file");
  if (::geteuid() != 0) {  // root writes into read-only folders anyway
    std::filesystem::create_directory(dir.file("read-only"));
    std::filesystem::permissions(dir.file("read-only"), std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
    CHECK_ERROR(tg::train::prepare_output_folder("x", dir.file("read-only")),
                "x: cannot use the folder '" + dir.file("read-only") + "': Permission denied");
  }
}

TEST_CASE("saves remove the temporary files of dead processes and nothing else") {
  const TempDir dir;
  const std::string dead = std::to_string(dead_pid()), alive = std::to_string(::getppid());
  const std::string stale = "m.safetensors.tmp-" + dead + "-0123456789abcdef";
  const std::set<std::string> kept = {
      "m.safetensors.tmp-" + alive + "-0123456789abcdef",  // a live process's save in progress
      "m.safetensors.tmp-" + dead + "-0123456789abcde",    // not our name: 15 hex digits
      "m.safetensors.tmp-" + dead + "-0123456789ABCDEF",   // upper case: not ours
      "m.safetensors.tmp-" + dead + "-0123456789abcdef.bak",
      ".tmp-" + dead + "-0123456789abcdef",                // no target name
      "notes.txt"};
  touch(dir.file(stale));
  for (const std::string& name : kept) touch(dir.file(name));
  tg::nn::save_safetensors(dir.file("other.safetensors"), {{"w", tg::ones({2})}});
  std::set<std::string> expected = kept;
  expected.insert("other.safetensors");
  CHECK(dir.entries() == expected);
}

TEST_CASE("saves: the fail-save test hook fails the n-th save as a full disk would, leaving no temporary file") {
  const TempDir dir;
  const ScopedEnv hook("TAPEGRAD_TEST_FAIL_SAVE", "2");  // counts the saves made while it is set
  const auto save = [&](const std::string& name) -> std::string {
    try {
      tg::nn::save_safetensors(dir.file(name), {{"w", tg::ones({2})}});
      return "";
    } catch (const tg::Error& e) {
      return e.what();
    }
  };
  CHECK(save("first.safetensors").empty());
  const std::string error = save("second.safetensors");
  CHECK(error.find("save_safetensors: cannot write '" + dir.file("second.safetensors") + "' (temporary file '" +
                   dir.file("second.safetensors.tmp-")) == 0);
  CHECK(error.find("): No space left on device") != std::string::npos);
  CHECK(dir.entries() == std::set<std::string>{"first.safetensors"});  // the temporary file is gone
  CHECK(save("second.safetensors").empty());  // only the n-th fails
}

TEST_CASE("train: a checkpoint folder that goes bad mid-run is reported once, and the run still ends with its test evaluation") {
  const TempDir dir;
  touch(dir.file("file"));
  tg::Generator gen(3);
  std::vector<std::int64_t> labels(64);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<std::int64_t>(i % 10);
  const tg::nn::data::Dataset data{tg::rand({64, 1, 28, 28}, tg::f32, &gen), tg::from_vector(labels, {64})};
  TrainConfig config;
  config.model = "mlp";
  config.epochs = 2;
  config.checkpoint_dir = dir.file("file/checkpoints");  // under a regular file: no save can succeed
  std::vector<std::string> reported;
  TrainCallbacks callbacks;
  callbacks.on_save_error = [&](const std::string& error) { reported.push_back(error); };
  const TrainResult result = train_classifier(config, {data, data, data}, callbacks);
  REQUIRE(reported.size() == 1);
  CHECK(reported[0].find("cannot use the folder '" + config.checkpoint_dir + "'") != std::string::npos);
  CHECK(result.save_error == reported[0]);
  CHECK(result.history.size() == 2);
  CHECK(result.checkpoint.empty());
  CHECK(result.checkpoints.empty());
  CHECK(result.test.accuracy == result.history[static_cast<std::size_t>(result.best_epoch - 1)].validation.accuracy);
  // Without the callback the save's error ends the run.
  CHECK_ERROR(train_classifier(config, {data, data, data}), "cannot use the folder '" + config.checkpoint_dir + "'");
}

TEST_CASE("ensemble: a checkpoint whose metadata width is not a whole number is refused, not truncated") {
  const TempDir dir;
  const auto model = tg::nn::make_model("mlp", {.dropout = 0.2});
  for (const char* width : {"1.9", "0", "17", "one"}) {
    CAPTURE(width);
    const std::string path = dir.file(std::string("w") + width + ".safetensors");
    tg::nn::save_checkpoint(path, model->state_dict(), {}, {{"model", "mlp"}, {"dropout", "0.2"}, {"width", width}});
    CHECK_ERROR(evaluate_ensemble({path}, blank_images(2), std::nullopt),
                "--ensemble: '" + path + "': the metadata's width '" + width + "'");
  }
}
