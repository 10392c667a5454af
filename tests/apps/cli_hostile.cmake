# Hostile and clumsy command lines (tests/apps/CMakeLists.txt includes this file): numbers out
# of range or unparsable, conflicting settings, unusable output folders and faults during
# checkpoint saves. Each fails before any data is loaded unless it says otherwise.
set(TAPEGRAD_EXPECT_ERROR ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh)
set(TAPEGRAD_HOSTILE_DIR ${CMAKE_CURRENT_BINARY_DIR}/cli_hostile)
# A path that is always a regular file, to stand where a folder should be.
set(TAPEGRAD_A_FILE ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh)

# Numbers: every numeric option of every command has a range, checked on the exact text.
function(tapegrad_cli_error name pattern)
  add_test(NAME ${name} COMMAND ${TAPEGRAD_EXPECT_ERROR} "${pattern}" $<TARGET_FILE:tapegrad_cli> ${ARGN})
endfunction()
tapegrad_cli_error(cli_train_epochs_overflow
                   "train: --epochs '99999999999999999999' is out of range: expected an integer in \\[1, 100000\\]"
                   train --epochs 99999999999999999999)
tapegrad_cli_error(cli_train_batch_size_overflow
                   "train: --batch-size '9223372036854775807' is out of range: expected an integer in \\[1, 65536\\]"
                   train --batch-size 9223372036854775807 --schedule none)
add_test(NAME cli_train_epochs_empty  # directly: a function's ARGN drops empty arguments
         COMMAND ${TAPEGRAD_EXPECT_ERROR} "train: --epochs '' is not an integer: expected an integer in \\[1, 100000\\]"
                 $<TARGET_FILE:tapegrad_cli> train --epochs "")
tapegrad_cli_error(cli_train_seed_negative
                   "train: --seed '-1' is out of range: expected an integer in \\[0, 18446744073709551615\\]"
                   train --seed -1)
tapegrad_cli_error(cli_train_seed_two_to_the_64 "train: --seed '18446744073709551616' is out of range"
                   train --seed 18446744073709551616)
tapegrad_cli_error(cli_train_threads_negative "train: --threads '-1' is out of range: expected an integer in \\[0, 1024\\]"
                   train --threads -1)
tapegrad_cli_error(cli_train_crop_padding_huge "train: --crop-padding '1000' is out of range: expected an integer in \\[0, 14\\]"
                   train --crop-padding 1000)
tapegrad_cli_error(cli_train_lr_infinite "train: --lr 'inf' is out of range: expected a number in \\(0, inf\\)"
                   train --lr inf)
tapegrad_cli_error(cli_gradcheck_eps_huge "gradcheck: --eps '1e300' is out of range: expected a number in \\[1e-12, 0\\.1\\]"
                   gradcheck --op tanh --op sqrt --eps 1e300)
tapegrad_cli_error(cli_gradcheck_f32_tolerance_infinite
                   "gradcheck: --f32-tolerance 'inf' is out of range: expected a number in \\(0, 1\\]"
                   gradcheck --op tanh --f32-tolerance inf)
tapegrad_cli_error(cli_search_trials_overflow "search: --trials '99999999999999999999' is out of range"
                   search --trials 4,99999999999999999999)
tapegrad_cli_error(cli_search_workers_zero "search: --workers '0' is out of range: expected an integer in \\[1, 256\\]"
                   search --workers 0)
tapegrad_cli_error(cli_search_seed_negative "search: --seed '-1' is out of range" search --seed -1)
tapegrad_cli_error(cli_bench_steps_not_integer "bench: --steps '1e3' is not an integer: expected an integer in \\[1, 10000000\\]"
                   bench --steps 1e3)
tapegrad_cli_error(cli_bench_tune_min_nan "bench: --tune-min 'nan' is out of range: expected a number in \\(0, inf\\)"
                   bench --tune-min nan)
tapegrad_cli_error(cli_bench_step_cost_sizes_negative "bench: --step-cost-sizes '-5' is out of range"
                   bench --step-cost --step-cost-sizes 1000,-5)

# Conflicting settings are errors, not a silent choice of one.
tapegrad_cli_error(cli_train_lr_and_opt_lr "train: --lr 0.1 and --opt lr=... both set the learning rate; give one of them"
                   train --lr 0.1 --opt lr=0.2)
tapegrad_cli_error(cli_train_opt_twice "option 'lr' is given twice" train --opt lr=0.1 --opt lr=0.2)
tapegrad_cli_error(cli_search_range_twice "--range: 'lr' is given twice" search --range lr=1e-4:1e-2 --range lr=1e-3:1e-1)
tapegrad_cli_error(cli_train_epochs_twice "--epochs: At Most 1 required but received 2" train --epochs 3 --epochs 4)
# Every usage error, CLI11's included, exits 2.
add_test(NAME cli_usage_error_exits_2
         COMMAND sh -c "\"$0\" train --epochs 3 --epochs 4 2>/dev/null; test $? -eq 2" $<TARGET_FILE:tapegrad_cli>)

# Output folders: checked before the run, errors naming the folder and the reason.
tapegrad_cli_error(cli_train_checkpoint_dir_in_proc
                   "train: --checkpoint-dir: cannot use the folder '/proc/nope': cannot create it: No such file or directory"
                   train --checkpoint-dir /proc/nope)
tapegrad_cli_error(cli_train_checkpoint_dir_is_a_file
                   "train: --checkpoint-dir: cannot use the folder '${TAPEGRAD_A_FILE}': it is a file, not a folder"
                   train --checkpoint-dir ${TAPEGRAD_A_FILE})
tapegrad_cli_error(cli_train_checkpoint_dir_under_a_file
                   "train: --checkpoint-dir: cannot use the folder '${TAPEGRAD_A_FILE}/sub': cannot create it: Not a directory"
                   train --checkpoint-dir ${TAPEGRAD_A_FILE}/sub)
tapegrad_cli_error(cli_train_report_in_proc
                   "train: --report '/proc/nope/r.html': cannot use the folder '/proc/nope': cannot create it"
                   train --checkpoint-dir ${TAPEGRAD_HOSTILE_DIR}/checkpoints --report /proc/nope/r.html)
tapegrad_cli_error(cli_search_results_in_proc
                   "search: --results '/proc/nope/x': cannot use the folder '/proc/nope': cannot create it: No such file"
                   search --results /proc/nope/x)
tapegrad_cli_error(cli_search_checkpoint_dir_is_a_file "search: --checkpoint-dir: cannot use the folder '${TAPEGRAD_A_FILE}': it is a file"
                   search --results ${TAPEGRAD_HOSTILE_DIR}/search.jsonl --fresh --checkpoint-dir ${TAPEGRAD_A_FILE})
tapegrad_cli_error(cli_bench_report_under_a_file
                   "bench: --report '${TAPEGRAD_A_FILE}/b.html': cannot use the folder '${TAPEGRAD_A_FILE}': it is a file"
                   bench --functions bowl --report ${TAPEGRAD_A_FILE}/b.html)

# Faults during saves (with real data and training): tests/apps/cli_save_faults_test.sh.
add_test(NAME cli_train_kill_mid_save
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_save_faults_test.sh $<TARGET_FILE:tapegrad_cli>
                 ${TAPEGRAD_HOSTILE_DIR}/kill kill)
add_test(NAME cli_train_late_save_failure
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_save_faults_test.sh $<TARGET_FILE:tapegrad_cli>
                 ${TAPEGRAD_HOSTILE_DIR}/late late)
