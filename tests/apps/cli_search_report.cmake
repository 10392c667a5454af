# tapegrad search writes its report by default, like train and bench: next to the results
# file ("<results stem>-report.html"); --report "" writes none.
set(TAPEGRAD_SEARCH_REPORT_DIR ${CMAKE_CURRENT_BINARY_DIR}/cli_search_default_report)
add_test(NAME cli_search_default_report
         COMMAND sh -c "rm -rf \"$1\" && \"$0\" search --stages 1 --trials 2 --epochs 1 --train-limit 500 \
                        --validation 200 --checkpoint-dir '' --fresh --results \"$1/run.jsonl\" \
                        && test -s \"$1/run-report.html\" && grep -c '<svg' \"$1/run-report.html\""
                 $<TARGET_FILE:tapegrad_cli> ${TAPEGRAD_SEARCH_REPORT_DIR})
set_tests_properties(cli_search_default_report PROPERTIES PASS_REGULAR_EXPRESSION
                     "report: [^\n]*cli_search_default_report/run-report\\.html\n(.*\n)?[1-9]")
add_test(NAME cli_search_no_report
         COMMAND sh -c "rm -rf \"$1\" && \"$0\" search --stages 1 --trials 1 --epochs 1 --train-limit 500 \
                        --validation 200 --checkpoint-dir '' --report '' --fresh --results \"$1/run.jsonl\" \
                        && ! test -e \"$1/run-report.html\" && echo no report written"
                 $<TARGET_FILE:tapegrad_cli> ${TAPEGRAD_SEARCH_REPORT_DIR}-none)
set_tests_properties(cli_search_no_report PROPERTIES PASS_REGULAR_EXPRESSION "no report written")
