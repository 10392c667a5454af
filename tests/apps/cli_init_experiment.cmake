# init_experiment (examples/): --help prints the usage and exits 0; a run prints its table
# and writes a page of 15 plots (per activation the std per layer and a histogram plot per
# initialization); a bad argument exits 2 naming it.
add_test(NAME cli_init_experiment_help_exits_0 COMMAND init_experiment --help)
add_test(NAME cli_init_experiment_help_text COMMAND init_experiment --help)
set_tests_properties(cli_init_experiment_help_text PROPERTIES PASS_REGULAR_EXPRESSION
  "^Usage: init_experiment \\[--report FILE\\] \\[SEED\\]\n.*-h, --help +print this help and exit")
set(TAPEGRAD_INIT_REPORT ${CMAKE_CURRENT_BINARY_DIR}/cli_init_experiment.html)
add_test(NAME cli_init_experiment_report_svgs
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/count_in_file.sh ${TAPEGRAD_INIT_REPORT} "<svg" 15
                 $<TARGET_FILE:init_experiment> --report ${TAPEGRAD_INIT_REPORT} 3)
add_test(NAME cli_init_experiment_bad_argument
         COMMAND ${TAPEGRAD_EXPECT_ERROR} --status 2 "init_experiment: unexpected argument '--seed'"
                 $<TARGET_FILE:init_experiment> --seed 3)
