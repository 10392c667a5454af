#pragma once
// MPI error texts and bounded waits, shared by dist's sources (private: the public
// headers name no MPI type).
#include <mpi.h>

#include <string>

namespace tg::dist::detail {

// MPI's text for an error code ("MPI_ERR_ROOT: invalid root").
std::string mpi_error_string(int code);
// A tg::Error "<what>: MPI failed: <MPI's text>" unless code is MPI_SUCCESS.
void check(const char* what, int code);
// Waits for a non-blocking operation, testing it (which also lets MPI progress) and
// sleeping briefly between tests once a first short spin has passed; a tg::Error naming
// `what` when it has not completed within tg::dist::timeout() seconds.
void wait_for(MPI_Request& request, const char* what);

}  // namespace tg::dist::detail
