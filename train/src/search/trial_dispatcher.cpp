#include <tapegrad/train/search/trial_dispatcher.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include <tapegrad/error.hpp>
#include <tapegrad/train/search/results.hpp>

#include "search/worker_messages.hpp"

namespace tg::train::search {

namespace {

double seconds_between(TrialDispatcher::Clock::time_point from, TrialDispatcher::Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

}  // namespace

MpiSearchOptions MpiSearchOptions::with_timeout(double dead_after_seconds) {
  return {std::min(1.0, dead_after_seconds / 5), dead_after_seconds};
}

void MpiSearchOptions::validate() const {
  TG_CHECK(std::isfinite(dead_after_seconds) && dead_after_seconds > 0,
           "search: the MPI timeout (--mpi-timeout) must be a positive number of seconds, got {}", dead_after_seconds);
  TG_CHECK(std::isfinite(heartbeat_seconds) && heartbeat_seconds > 0 && heartbeat_seconds < dead_after_seconds,
           "search: the MPI heartbeat period must be positive and shorter than the timeout ({} s), got {}",
           dead_after_seconds, heartbeat_seconds);
}

TrialDispatcher::TrialDispatcher(int ranks, nlohmann::json setup, MpiSearchOptions options, Clock::time_point now,
                                 std::function<void(const std::string&)> warn)
    : setup_(std::move(setup)), options_(options), warn_(std::move(warn)) {
  TG_CHECK(ranks >= 2, "search: a distributed search needs at least 2 ranks (rank 0 hands out the trials, the others "
           "run them), got {}", ranks);
  options_.validate();
  if (!warn_) warn_ = [](const std::string&) {};
  workers_.resize(static_cast<std::size_t>(ranks));
  for (Worker& worker : workers_) worker.heard = worker.sent = now;
  workers_[0].state = State::dead;  // rank 0 is this one
}

void TrialDispatcher::add(const std::vector<TrialSpec>& specs) {
  for (const TrialSpec& spec : specs) waiting_.push_back({spec, 1});
}

void TrialDispatcher::fail_protocol(int rank, const nlohmann::json& message) const {
  fail("search: rank {} sent a message outside the search protocol: '{}'", rank, message.dump());
}

std::optional<TrialResult> TrialDispatcher::receive(int rank, const nlohmann::json& message, Clock::time_point now) {
  TG_CHECK(rank >= 1 && rank < static_cast<int>(workers_.size()),
           "search: a message from rank {}, which is not a worker rank (1 to {})", rank, workers_.size() - 1);
  Worker& worker = workers_[static_cast<std::size_t>(rank)];
  if (worker.state == State::dead) {
    worker.stop_due = true;  // its trial runs elsewhere already
    return std::nullopt;
  }
  if (!message.is_object()) fail_protocol(rank, message);
  worker.heard = now;
  if (message.contains("alive")) return std::nullopt;
  if (message.contains("error"))
    throw_if_error_answer(message, worker.running ? &*worker.running : nullptr, fmt::format("rank {}", rank));
  if (message.contains("ready")) {
    if (worker.state == State::starting) {
      outgoing_.push_back({rank, {{"setup", setup_}}});
      worker.sent = now;
      worker.state = State::setting_up;
    } else if (worker.state == State::setting_up) {
      worker.state = State::idle;
    } else {
      fail_protocol(rank, message);
    }
    return std::nullopt;
  }
  if (message.contains("result") && worker.state == State::running) {
    TrialResult result = trial_result_from_json(message.at("result"));
    TG_CHECK(result.spec == *worker.running,
             "search: rank {} sent the result of stage {} trial {} while it was running stage {} trial {}", rank,
             result.spec.stage, result.spec.trial, worker.running->stage, worker.running->trial);
    worker.running.reset();
    worker.state = State::idle;
    return result;
  }
  fail_protocol(rank, message);
}

std::vector<TrialDispatcher::Outgoing> TrialDispatcher::poll(Clock::time_point now) {
  for (std::size_t rank = 1; rank < workers_.size(); ++rank) {
    Worker& worker = workers_[rank];
    if (worker.state == State::dead) continue;
    const double silent = seconds_between(worker.heard, now);
    if (silent <= options_.dead_after_seconds) continue;
    std::string what = fmt::format("search: rank {} sent nothing for {:.1f} s (more than --mpi-timeout {:g} s)", rank,
                                   silent, options_.dead_after_seconds);
    if (worker.running) {
      waiting_.push_front({*worker.running, worker.attempt + 1});
      what += fmt::format(" while running stage {} trial {}; it counts as dead, and the trial goes back to the queue "
                          "for another rank", worker.running->stage, worker.running->trial);
    } else {
      what += "; it counts as dead";
    }
    worker.state = State::dead;
    worker.running.reset();
    warn_(what);
  }
  if (!done() && live_workers() == 0)
    fail("search: every worker rank is dead (see the warnings above), and {} trials are left; the results file keeps "
         "the finished trials, and the same command resumes",
         waiting_.size());

  std::vector<Outgoing> out = std::move(outgoing_);
  outgoing_.clear();
  for (std::size_t rank = 1; rank < workers_.size(); ++rank) {
    Worker& worker = workers_[rank];
    const int r = static_cast<int>(rank);
    if (worker.state == State::dead) {
      if (worker.stop_due) out.push_back({r, {{"stop", true}}});
      worker.stop_due = false;
      continue;
    }
    if (worker.state == State::idle && !waiting_.empty()) {
      const Waiting next = waiting_.front();
      waiting_.pop_front();
      worker.running = next.spec;
      worker.attempt = next.attempt;
      worker.state = State::running;
      out.push_back({r, {{"trial", to_json(next.spec)}, {"attempt", next.attempt}}});
      worker.sent = now;
    }
    if (seconds_between(worker.sent, now) >= options_.heartbeat_seconds) {
      out.push_back({r, {{"alive", true}}});
      worker.sent = now;
    }
  }
  return out;
}

bool TrialDispatcher::done() const {
  return waiting_.empty() && std::none_of(workers_.begin(), workers_.end(),
                                          [](const Worker& worker) { return worker.state == State::running; });
}

std::vector<TrialDispatcher::Outgoing> TrialDispatcher::stop() const {
  std::vector<Outgoing> out;
  // rank_lost: a worker died, so MPI_Finalize (which waits for every rank) must be skipped.
  const bool lost = live_workers() < static_cast<int>(workers_.size()) - 1;
  for (std::size_t rank = 1; rank < workers_.size(); ++rank)
    if (workers_[rank].state != State::dead)
      out.push_back({static_cast<int>(rank), {{"stop", true}, {"rank_lost", lost}}});
  return out;
}

int TrialDispatcher::live_workers() const {
  return static_cast<int>(std::count_if(workers_.begin() + 1, workers_.end(),
                                        [](const Worker& worker) { return worker.state != State::dead; }));
}

}  // namespace tg::train::search
