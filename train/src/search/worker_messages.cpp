#include "search/worker_messages.hpp"

#include <fmt/format.h>

#include <exception>
#include <string>

#include <tapegrad/error.hpp>
#include <tapegrad/train/search/results.hpp>

namespace tg::train::search {

std::variant<TrialFunction, nlohmann::json> build_trial(const std::function<TrialFunction()>& make) {
  try {
    return make();
  } catch (const std::exception& e) {
    return nlohmann::json{{"error", e.what()}, {"setup", true}};
  }
}

nlohmann::json trial_answer(const std::function<TrialResult()>& run) {
  try {
    return {{"result", to_json(run())}};
  } catch (const tg::Error& e) {
    return {{"error", e.what()}};
  } catch (const std::exception& e) {
    return {{"error", fmt::format("internal error in a search worker: {}", e.what())}};
  }
}

void throw_if_error_answer(const nlohmann::json& answer, const TrialSpec* running, std::string_view worker) {
  if (!answer.contains("error")) return;
  const std::string error = answer.at("error").get<std::string>();
  if (answer.contains("setup") || running == nullptr) fail("search: {} could not start: {}", worker, error);
  fail("stage {} trial {}: {}", running->stage, running->trial, error);
}

}  // namespace tg::train::search
