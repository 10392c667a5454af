# tapegrad search: a tiny real search with 2 workers, resuming, --json; bad input exits
# non-zero with a message (tests/apps/CMakeLists.txt includes this file).
add_test(NAME cli_search_workers_resume
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_search_test.sh $<TARGET_FILE:tapegrad_cli>
                 ${CMAKE_CURRENT_BINARY_DIR}/cli_search_workers_resume)

set(TAPEGRAD_SEARCH_QUICK search --stages 1 --trials 2 --epochs 1 --train-limit 500 --validation 200
    --checkpoint-dir ${CMAKE_CURRENT_BINARY_DIR}/cli_search_checkpoints)
add_test(NAME cli_search_json
         COMMAND tapegrad_cli ${TAPEGRAD_SEARCH_QUICK} --fresh --results ${CMAKE_CURRENT_BINARY_DIR}/cli_search_json.jsonl --json)
set_tests_properties(cli_search_json PROPERTIES PASS_REGULAR_EXPRESSION "\"best\": {[^}]*\"validation_accuracy\": 0\\.")

set(TAPEGRAD_SEARCH_BAD ${TAPEGRAD_EXPECT_ERROR})
add_test(NAME cli_search_range_without_high
         COMMAND ${TAPEGRAD_SEARCH_BAD} "--range 'lr=1e-3': expected name=low:high" $<TARGET_FILE:tapegrad_cli> search --range lr=1e-3)
add_test(NAME cli_search_range_low_above_high
         COMMAND ${TAPEGRAD_SEARCH_BAD} "low 0.1 must be below high 0.01" $<TARGET_FILE:tapegrad_cli> search --range lr=0.1:0.01)
add_test(NAME cli_search_range_log_from_zero
         COMMAND ${TAPEGRAD_SEARCH_BAD} "a log range needs low > 0, got 0" $<TARGET_FILE:tapegrad_cli> search --range lr=0:0.1:log)
add_test(NAME cli_search_range_unknown_scale
         COMMAND ${TAPEGRAD_SEARCH_BAD} "unknown scale 'cubic'; known: log, linear" $<TARGET_FILE:tapegrad_cli> search --range lr=1e-5:0.1:cubic)
add_test(NAME cli_search_range_unknown_name
         COMMAND ${TAPEGRAD_SEARCH_BAD} "'momentum' is neither dropout nor an option of adamw" $<TARGET_FILE:tapegrad_cli> search --range momentum=0.5:0.99)
add_test(NAME cli_search_epochs_per_stage
         COMMAND ${TAPEGRAD_SEARCH_BAD} "--epochs has 3 values but there are 2 stages" $<TARGET_FILE:tapegrad_cli> search --stages 2 --epochs 1,2,3)
add_test(NAME cli_search_unknown_optimizer
         COMMAND ${TAPEGRAD_SEARCH_BAD} "unknown optimizer 'adamax'" $<TARGET_FILE:tapegrad_cli> search --optimizer adamax)
add_test(NAME cli_search_missing_data
         COMMAND ${TAPEGRAD_SEARCH_BAD} "a worker could not start: .*apt-get install dataset-fashion-mnist" $<TARGET_FILE:tapegrad_cli>
                 ${TAPEGRAD_SEARCH_QUICK} --workers 2 --fresh --results ${CMAKE_CURRENT_BINARY_DIR}/cli_search_missing_data.jsonl --data /nonexistent)
add_test(NAME cli_search_other_results_file
         COMMAND ${TAPEGRAD_SEARCH_BAD} "is from a different search \\(.*seed is 0 in the file, 5 here\\); use --fresh" $<TARGET_FILE:tapegrad_cli>
                 ${TAPEGRAD_SEARCH_QUICK} --seed 5 --results ${CMAKE_CURRENT_BINARY_DIR}/cli_search_json.jsonl)
set_tests_properties(cli_search_other_results_file PROPERTIES DEPENDS cli_search_json)

# A stuck worker (stopped, or hanging through a test hook) is named, killed, and its trial
# runs once more; stuck twice, the search stops with exit status 2, keeping what finished.
foreach(mode IN ITEMS sigstop hook)
  add_test(NAME cli_search_stuck_worker_${mode}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_search_stuck_test.sh $<TARGET_FILE:tapegrad_cli>
                   ${CMAKE_CURRENT_BINARY_DIR}/cli_search_stuck_worker_${mode} ${mode} 15)
  set_tests_properties(cli_search_stuck_worker_${mode} PROPERTIES TIMEOUT 300)
endforeach()
add_test(NAME cli_search_bad_trial_timeout
         COMMAND ${TAPEGRAD_SEARCH_BAD} --status 2 "--trial-timeout '-1' is out of range"
                 $<TARGET_FILE:tapegrad_cli> search --trial-timeout -1)
