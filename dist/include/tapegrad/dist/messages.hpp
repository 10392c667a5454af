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
#include <cstddef>
#include <memory>
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
// max_tag(). Returns when the text may be reused: usually at once for a short text (up
// to Open MPI's eager limit, 4 KB on one machine), which MPI buffers; a longer text waits
// for the destination to start receiving it. Toward a rank that may have died, use an
// Outbox: once MPI's buffers toward it are full, even a short send waits forever.
void send(int destination, int tag, std::string_view text);

// Texts sent without waiting: each send copies its text and returns at once, whether
// or not the destination is there to receive it. A rank that talks to ranks which may
// have died uses one, since a blocking send to a dead rank can wait forever once MPI's
// buffers toward it are full. Open MPI moves the sends along only inside MPI calls:
// call progress() (or send) regularly. Destroy it before MPI is finalized.
class Outbox {
 public:
  Outbox();
  // Sends still in flight are given up: MPI is told to free them, and their texts are
  // kept until the process ends, since MPI may still read them.
  ~Outbox();
  Outbox(const Outbox&) = delete;
  Outbox& operator=(const Outbox&) = delete;

  // Starts sending text to `destination` with `tag` (the ranges of send()).
  void send(int destination, int tag, std::string text);
  // Tests the sends in flight; returns how many are left.
  std::size_t progress();
  // The sends to `destination` still in flight (as of the last progress or send).
  std::size_t in_flight(int destination) const;
  // Calls progress until nothing is in flight or `seconds` have passed; returns what is left.
  std::size_t flush(double seconds);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The first waiting message from `source` (any_source: from any rank) with `tag`
// (any_tag: any), received; or nothing when none is waiting. Never blocks.
std::optional<Message> try_receive(int source = any_source, int tag = any_tag);

// The largest tag this MPI allows (at least 32767).
int max_tag();

// Ends every process of the job at once (MPI_Abort), with exit_code as mpirun's exit
// status, for a rank that cannot go on and must not leave the others waiting for it.
[[noreturn]] void abort(int exit_code);

}  // namespace tg::dist
