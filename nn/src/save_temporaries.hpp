#pragma once
// The temporary files of save_safetensors: "<target>.tmp-<pid>-<16 hex digits>" beside the
// target, renamed over it once complete. A process that dies between the two (kill -9,
// SIGXFSZ on a file-size limit, a power cut) leaves its temporary file behind; the next
// save into that folder removes the ones whose process is gone.
#include <cstddef>
#include <string>

namespace tg::nn::save_temporaries {

// A fresh temporary name for path (this process's id and 64 random bits).
std::string temporary_path_for(const std::string& path);

// Removes the files in path's folder named like temporary_path_for's whose process no
// longer exists (kill(pid, 0) fails with ESRCH); files of live processes, this one's and
// every other name are left alone. Best effort: a file that cannot be removed stays.
// Returns how many were removed. Process ids are this pid namespace's: a folder shared
// with a container sees that container's live saves as stale, and such a save then fails
// with an error at its rename (it never corrupts the target).
std::size_t remove_stale(const std::string& path);

// Test hooks, read from the environment at every save, for the fault-injection tests
// (tests/cli_save_faults.cmake); unset, they do nothing:
//   TAPEGRAD_TEST_PAUSE_IN_SAVE=<seconds>  sleep after the temporary file is written and
//                                          before the rename, so a test can kill the process mid-save
//   TAPEGRAD_TEST_FAIL_SAVE=<n>            the n-th save (1-based) made with the variable set
//                                          fails as on a full disk (ENOSPC), after writing its
//                                          temporary file (which it removes, as for a real failure)
void pause_for_tests();
bool fail_for_tests();

}  // namespace tg::nn::save_temporaries
