#pragma once
// Training and search across the ranks of an MPI job (docs/distributed.md). They are
// built when tapegrad was built with MPI (dist/, Open MPI); without it every distributed
// entry point is a tg::Error saying so.
#include <memory>

namespace tg::train {

// Whether this build has distributed training and search.
bool built_with_mpi();

// Joins the MPI job this process was started in (by mpirun; alone, a job of one rank)
// for the session's lifetime: MPI is initialized by the first session and finalized when
// it ends. A command line or a program makes one in main before a distributed run.
class MpiSession {
 public:
  MpiSession();  // a tg::Error in a build without MPI
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const;
  int size() const;
  // How long a rank waits for the others in a collective before it stops with an error
  // naming it (tg::dist::set_timeout; default 300 s, 0: no limit).
  void set_timeout(double seconds);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tg::train
