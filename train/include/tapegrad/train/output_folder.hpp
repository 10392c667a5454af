#pragma once
// The folders a command writes into (checkpoints, reports, results files), checked before
// the work starts: a run that cannot save should fail in its first second, not after hours.
#include <string>

namespace tg::train {

// Creates folder and its parents if missing and checks that files can be made in it.
// Otherwise a tg::Error that starts with what (e.g. "train: --checkpoint-dir") and names
// the folder and the reason: "train: --checkpoint-dir: cannot use the folder '/proc/nope':
// No such file or directory". An empty folder is the current directory.
void prepare_output_folder(const std::string& what, const std::string& folder);

// prepare_output_folder for the folder a file goes into.
void prepare_folder_of(const std::string& what, const std::string& file);

}  // namespace tg::train
