#pragma once
// MPI's failures as tg::Error (private to dist/src): every MPI call of dist/ returns a
// code (MPI_ERRORS_RETURN), and a failing one becomes an error with MPI's own text; a
// call before MPI is initialized is an error too.
#include <mpi.h>

#include <string>

#include "tapegrad/dist/collectives.hpp"
#include "tapegrad/error.hpp"

namespace tg::dist::detail {

// MPI's text for an error code ("MPI_ERR_ROOT: invalid root").
inline std::string mpi_error_string(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) return "MPI error code " + std::to_string(code);
  return std::string(text, static_cast<std::size_t>(length));
}

inline void check(const char* what, int code) {
  if (code != MPI_SUCCESS) fail("{}: MPI failed: {}", what, mpi_error_string(code));
}

inline void require_initialized(const char* what) {
  TG_CHECK(is_initialized(), "{}: MPI is not initialized; create a tg::dist::Environment first (and run under mpirun)",
           what);
}

}  // namespace tg::dist::detail
