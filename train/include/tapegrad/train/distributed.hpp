#pragma once
// Training and search across the ranks of an MPI job (docs/distributed.md). They are
// built when tapegrad was built with MPI (dist/, Open MPI); without it every distributed
// entry point is a tg::Error saying so.
namespace tg::train {

// Whether this build has distributed training and search.
bool built_with_mpi();

}  // namespace tg::train
