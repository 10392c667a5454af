# tapegrad train --profile N: the table of tg::Profiler over N steps after the first 10,
# in the text output and in the JSON.
set(TAPEGRAD_PROFILE_QUICK --model mlp --epochs 1 --train-limit 1000 --validation 500 --report "" --checkpoint-dir "")
add_test(NAME cli_train_profile COMMAND tapegrad_cli train ${TAPEGRAD_PROFILE_QUICK} --profile 3)
set_tests_properties(cli_train_profile PROPERTIES PASS_REGULAR_EXPRESSION
                     "time per training step \\(steps 11 to 13, this thread\\):\n +ms/step +share +calls/step[^\n]*\n(.*\n)* +[0-9.]+ +[0-9.]+% +3  linear backward\n(.*\n)*.*wall time")
add_test(NAME cli_train_profile_json COMMAND tapegrad_cli train ${TAPEGRAD_PROFILE_QUICK} --profile 2 --json)
set_tests_properties(cli_train_profile_json PROPERTIES PASS_REGULAR_EXPRESSION
                     "\"profile\": \\{[^}]*\"rows\": \\[[^]]*\"name\": \"optimizer step\"[^]]*\\][^}]*\"steps\": 2")
add_test(NAME cli_train_profile_zero
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh "--profile '0' is out of range: expected an integer in \\[1, 1000000000\\]"
                 $<TARGET_FILE:tapegrad_cli> train ${TAPEGRAD_PROFILE_QUICK} --profile 0)
