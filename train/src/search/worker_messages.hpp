#pragma once
// The JSON answers of a search's workers, shared by the worker processes of --workers
// (workers.cpp, over a socket) and the worker ranks of --mpi (mpi/mpi_search_worker.cpp):
//   {"result": result}                 a finished trial
//   {"error": "message"}               a failed trial
//   {"error": "message", "setup": true} the trial function could not be built
#include <functional>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

#include <tapegrad/train/search/trial.hpp>

namespace tg::train::search {

using MakeTrial = std::function<TrialFunction(const nlohmann::json& setup)>;

// The trial function that make returns, or the setup-error answer saying why it threw.
std::variant<TrialFunction, nlohmann::json> build_trial(const std::function<TrialFunction()>& make);

// Runs a trial (run reads its spec and calls the trial function): its result answer, or
// its error answer (a tg::Error's message as it is; any other exception as an internal
// error).
nlohmann::json trial_answer(const std::function<TrialResult()>& run);

// The master's side: a tg::Error for an error answer of `worker` ("a worker", "rank 2"),
// naming the trial it was running (null: none); nothing for any other message.
void throw_if_error_answer(const nlohmann::json& answer, const TrialSpec* running, std::string_view worker);

}  // namespace tg::train::search
