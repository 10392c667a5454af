#include "tapegrad/dist/messages.hpp"

#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>
#include <limits>

#include "mpi_error.hpp"
#include "tapegrad/dist/collectives.hpp"
#include "tapegrad/error.hpp"

namespace tg::dist {

namespace {

using detail::check;
using detail::require_initialized;

void check_tag(const char* what, int tag, bool any_allowed) {
  if (any_allowed && tag == any_tag) return;
  const int largest = max_tag();
  TG_CHECK(tag >= 0 && tag <= largest, "{}: tag {} is out of range: expected 0 to {}{}", what, tag, largest,
           any_allowed ? " or tg::dist::any_tag" : "");
}

void check_rank(const char* what, const char* role, int rank, bool any_allowed) {
  if (any_allowed && rank == any_source) return;
  const int ranks = size();
  TG_CHECK(rank >= 0 && rank < ranks, "{}: {} rank {} is out of range: the job has ranks 0 to {}{}", what, role, rank,
           ranks - 1, any_allowed ? " (or tg::dist::any_source)" : "");
}

}  // namespace

int max_tag() {
  require_initialized("tg::dist::max_tag");
  int* value = nullptr;
  int found = 0;
  check("tg::dist::max_tag", MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &value, &found));
  return found && value != nullptr ? *value : 32767;  // 32767: the least the MPI standard allows
}

namespace {

void check_send(const char* what, int destination, int tag, std::string_view text) {
  require_initialized(what);
  check_rank(what, "destination", destination, false);
  check_tag(what, tag, false);
  TG_CHECK(text.size() <= static_cast<std::size_t>(std::numeric_limits<int>::max()),
           "{}: a text of {} bytes does not fit one MPI message (at most {})", what, text.size(),
           std::numeric_limits<int>::max());
}

// The texts of sends an Outbox gave up: MPI may read them until the process ends.
std::vector<std::unique_ptr<std::string>>& abandoned_texts() {
  static std::vector<std::unique_ptr<std::string>> texts;
  return texts;
}

}  // namespace

void send(int destination, int tag, std::string_view text) {
  constexpr const char* what = "tg::dist::send";
  check_send(what, destination, tag, text);
  check(what, MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, destination, tag, MPI_COMM_WORLD));
}

struct Outbox::Impl {
  struct InFlight {
    int destination = 0;
    std::unique_ptr<std::string> text;  // where it is, not moved while MPI reads it
    MPI_Request request = MPI_REQUEST_NULL;
  };
  std::vector<InFlight> sends;
};

Outbox::Outbox() : impl_(std::make_unique<Impl>()) {}

Outbox::~Outbox() {
  if (!is_initialized()) return;
  for (Impl::InFlight& in_flight : impl_->sends) {
    MPI_Request_free(&in_flight.request);
    abandoned_texts().push_back(std::move(in_flight.text));
  }
}

void Outbox::send(int destination, int tag, std::string text) {
  constexpr const char* what = "tg::dist::Outbox::send";
  check_send(what, destination, tag, text);
  Impl::InFlight in_flight{destination, std::make_unique<std::string>(std::move(text)), MPI_REQUEST_NULL};
  check(what, MPI_Isend(in_flight.text->data(), static_cast<int>(in_flight.text->size()), MPI_CHAR, destination, tag,
                        MPI_COMM_WORLD, &in_flight.request));
  impl_->sends.push_back(std::move(in_flight));
  progress();
}

std::size_t Outbox::progress() {
  require_initialized("tg::dist::Outbox::progress");
  auto& sends = impl_->sends;
  for (auto it = sends.begin(); it != sends.end();) {
    int done = 0;
    check("tg::dist::Outbox::progress", MPI_Test(&it->request, &done, MPI_STATUS_IGNORE));
    it = done ? sends.erase(it) : it + 1;
  }
  return sends.size();
}

std::size_t Outbox::in_flight(int destination) const {
  return static_cast<std::size_t>(std::count_if(impl_->sends.begin(), impl_->sends.end(),
                                                [&](const Impl::InFlight& s) { return s.destination == destination; }));
}

std::size_t Outbox::flush(double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  std::size_t left = progress();
  while (left > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    left = progress();
  }
  return left;
}

std::optional<Message> try_receive(int source, int tag) {
  constexpr const char* what = "tg::dist::try_receive";
  require_initialized(what);
  check_rank(what, "source", source, true);
  check_tag(what, tag, true);
  int waiting = 0;
  MPI_Status status;
  check(what, MPI_Iprobe(source == any_source ? MPI_ANY_SOURCE : source, tag == any_tag ? MPI_ANY_TAG : tag,
                         MPI_COMM_WORLD, &waiting, &status));
  if (!waiting) return std::nullopt;
  int length = 0;
  check(what, MPI_Get_count(&status, MPI_CHAR, &length));
  Message message{status.MPI_SOURCE, status.MPI_TAG, std::string(static_cast<std::size_t>(length), '\0')};
  // The probed message, by its own source and tag: only this thread receives, so no
  // other receive can take it in between.
  check(what, MPI_Recv(message.text.data(), length, MPI_CHAR, message.source, message.tag, MPI_COMM_WORLD,
                       MPI_STATUS_IGNORE));
  return message;
}

void abort(int exit_code) {
  if (is_initialized()) MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::_Exit(exit_code);  // MPI_Abort does not return; without MPI there is no job to end
}

}  // namespace tg::dist
