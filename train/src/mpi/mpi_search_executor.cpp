// Rank 0 of a distributed search: the dispatcher's messages over MPI (mpi_search.hpp).
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include <tapegrad/dist/collectives.hpp>
#include <tapegrad/dist/messages.hpp>
#include <tapegrad/error.hpp>
#include <tapegrad/train/search/mpi_search.hpp>

namespace tg::train::search {

struct MpiExecutor::Impl {
  std::unique_ptr<TrialDispatcher> dispatcher;
  dist::Outbox outbox;  // never a blocking send: a worker rank may be dead

  void send(const std::vector<TrialDispatcher::Outgoing>& messages) {
    for (const TrialDispatcher::Outgoing& out : messages) {
      // A heartbeat adds nothing while the rank's last message has not left.
      if (out.message.contains("alive") && outbox.in_flight(out.rank) > 0) continue;
      outbox.send(out.rank, kSearchMessageTag, out.message.dump());
    }
  }
};

MpiExecutor::MpiExecutor(const nlohmann::json& setup, MpiSearchOptions options,
                         std::function<void(const std::string&)> warn)
    : impl_(std::make_unique<Impl>()) {
  TG_CHECK(dist::is_initialized(),
           "search: MpiExecutor needs MPI: create a tg::train::MpiSession first (and start the job with mpirun)");
  TG_CHECK(dist::rank() == 0, "search: MpiExecutor runs on rank 0, not on rank {}; worker ranks call serve_trials_mpi",
           dist::rank());
  if (!warn) warn = [](const std::string& message) { fmt::print(stderr, "warning: {}\n", message); };
  impl_->dispatcher = std::make_unique<TrialDispatcher>(dist::size(), setup, options, TrialDispatcher::Clock::now(),
                                                        std::move(warn));
}

MpiExecutor::~MpiExecutor() {
  try {
    if (impl_->dispatcher->live_workers() < dist::size() - 1) dist::note_rank_lost();
    impl_->send(impl_->dispatcher->stop());
    // Short messages leave at once toward a live rank; one still in flight after 2 s
    // goes to a rank that is dead or stuck, which ends by its own timeout.
    impl_->outbox.flush(2);
  } catch (const std::exception&) {
    // MPI failed already; the workers see rank 0's silence and stop.
  }
}

void MpiExecutor::run(const std::vector<TrialSpec>& specs,
                      const std::function<void(const TrialResult&)>& on_finished) {
  TrialDispatcher& dispatcher = *impl_->dispatcher;
  dispatcher.add(specs);
  while (!dispatcher.done()) {
    bool heard = false;
    // Everything waiting first: a rank's queued heartbeats count before its silence does.
    while (const auto message = dist::try_receive(dist::any_source, kSearchMessageTag)) {
      heard = true;
      const auto result = dispatcher.receive(message->source, nlohmann::json::parse(message->text, nullptr, false),
                                             TrialDispatcher::Clock::now());
      if (result) on_finished(*result);
    }
    impl_->send(dispatcher.poll(TrialDispatcher::Clock::now()));
    impl_->outbox.progress();
    // Trials take seconds at least: a few milliseconds of latency cost nothing, and rank 0
    // leaves the cores to the trials.
    if (!heard) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void abort_distributed_search(int exit_code) { dist::abort(exit_code); }

}  // namespace tg::train::search
