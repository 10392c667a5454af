#pragma once
// The subcommands of `tapegrad`. Each adds itself to the app; when CLI11 runs it,
// it stores the process exit code in exit_code. A tg::Error it throws reaches main,
// which prints it and exits 2. A new command is one add_*_command here, its own
// file, and one call in main.cpp.
#include <CLI/CLI.hpp>

namespace tg::apps {

void add_bench_command(CLI::App& app, int& exit_code);
void add_gradcheck_command(CLI::App& app, int& exit_code);
void add_train_command(CLI::App& app, int& exit_code);
void add_search_command(CLI::App& app, int& exit_code);

}  // namespace tg::apps
