#pragma once
// Bounded waits for dist's non-blocking MPI operations (private to dist/src), beside
// mpi_error.hpp's error helpers.
#include <mpi.h>

#include "mpi_error.hpp"

namespace tg::dist::detail {

// Waits for a non-blocking operation, testing it (which also lets MPI progress) and
// sleeping briefly between tests once a first short spin has passed; a tg::Error naming
// `what` when it has not completed within tg::dist::timeout() seconds.
void wait_for(MPI_Request& request, const char* what);

}  // namespace tg::dist::detail
