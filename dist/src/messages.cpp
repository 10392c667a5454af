#include "tapegrad/dist/messages.hpp"

#include <mpi.h>

#include <cstdlib>
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

void send(int destination, int tag, std::string_view text) {
  constexpr const char* what = "tg::dist::send";
  require_initialized(what);
  check_rank(what, "destination", destination, false);
  check_tag(what, tag, false);
  TG_CHECK(text.size() <= static_cast<std::size_t>(std::numeric_limits<int>::max()),
           "{}: a text of {} bytes does not fit one MPI message (at most {})", what, text.size(),
           std::numeric_limits<int>::max());
  check(what, MPI_Send(text.data(), static_cast<int>(text.size()), MPI_CHAR, destination, tag, MPI_COMM_WORLD));
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
