#pragma once
// Point-to-point text messages between the ranks of an MPI job (docs/distributed.md):
// a rank sends a string with a tag to another rank, and the receiver asks, without
// blocking, whether one is waiting. A search's rank 0 and its workers talk this way
// (tapegrad/train/search/mpi_search.hpp).
//
//   tg::dist::send(0, kTag, R"({"ready": true})");
//   if (auto m = tg::dist::try_receive(tg::dist::any_source, kTag)) handle(m->source, m->text);
//
// Messages from one rank with one tag arrive in the order they were sent (MPI's
// non-overtaking rule). Every MPI failure is a tg::Error with MPI's own text.
#include <optional>
#include <string>
#include <string_view>

namespace tg::dist {

inline constexpr int any_source = -1;
inline constexpr int any_tag = -1;

struct Message {
  int source = 0;
  int tag = 0;
  std::string text{};
};

// Sends text to rank `destination` (0 .. size-1, this rank included) with tag 0 ..
// max_tag(). Returns when the text may be reused: at once for a short text (up to
// Open MPI's eager limit, 4 KB on one machine), which is then buffered by MPI even when
// the destination never receives it, e.g. because it died; a longer text waits for the
// destination to start receiving it.
void send(int destination, int tag, std::string_view text);

// The first waiting message from `source` (any_source: from any rank) with `tag`
// (any_tag: any), received; or nothing when none is waiting. Never blocks.
std::optional<Message> try_receive(int source = any_source, int tag = any_tag);

// The largest tag this MPI allows (at least 32767).
int max_tag();

// Ends every process of the job at once (MPI_Abort), with exit_code as mpirun's exit
// status, for a rank that cannot go on and must not leave the others waiting for it.
[[noreturn]] void abort(int exit_code);

}  // namespace tg::dist
