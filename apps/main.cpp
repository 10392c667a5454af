// tapegrad: the command line. Subcommand wiring and top-level error handling only.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <tapegrad/error.hpp>

#include "commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"tapegrad: a tape-based autodiff library on oneDNN"};
  app.require_subcommand(1);
  int exit_code = 0;
  tg::apps::add_train_command(app, exit_code);
  tg::apps::add_gradcheck_command(app, exit_code);
  tg::apps::add_bench_command(app, exit_code);
  tg::apps::add_search_command(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // 0 for --help; otherwise CLI11's message and 2, the exit code of every usage error.
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const tg::Error& e) {
    fmt::print(stderr, "tapegrad: error: {}\n", e.what());
    return 2;
  } catch (const std::filesystem::filesystem_error& e) {
    // A file or folder the system refused (missing, read-only, full, a file in place of a
    // folder): what() names the operation, the reason and the paths.
    fmt::print(stderr, "tapegrad: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    // Not a user mistake: a bug in tapegrad or its environment.
    fmt::print(stderr, "tapegrad: internal error: {}\n", e.what());
    return 3;
  }
  return exit_code;
}
