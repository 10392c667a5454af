# tapegrad train --resume, --init-from, --freeze, --lr-for.
add_test(NAME cli_train_resume_bit_exact
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_train_resume_test.sh $<TARGET_FILE:tapegrad_cli>
                 ${CMAKE_CURRENT_BINARY_DIR}/cli_train_resume)
set_tests_properties(cli_train_resume_bit_exact PROPERTIES ENVIRONMENT "${TAPEGRAD_TEST_THREADS}")

set(TAPEGRAD_RESUME_QUICK train --model mlp --epochs 1 --train-limit 300 --validation 100 --report "" --checkpoint-dir "")
add_test(NAME cli_train_resume_missing
         COMMAND ${TAPEGRAD_EXPECT_ERROR} --status 2 "resume: no run-state file '/nonexistent/mlp-run.safetensors'"
                 $<TARGET_FILE:tapegrad_cli> ${TAPEGRAD_RESUME_QUICK} --resume /nonexistent/mlp-run.safetensors)
add_test(NAME cli_train_init_from_missing
         COMMAND ${TAPEGRAD_EXPECT_ERROR} --status 2 "train: --init-from: no checkpoint file '/nonexistent.safetensors'"
                 $<TARGET_FILE:tapegrad_cli> ${TAPEGRAD_RESUME_QUICK} --init-from /nonexistent.safetensors)
add_test(NAME cli_train_freeze_unknown_prefix
         COMMAND ${TAPEGRAD_EXPECT_ERROR} --status 2
                 "train: --freeze 'encoder.' matches no parameter of Sequential; its parameters are: 1.weight, 1.bias"
                 $<TARGET_FILE:tapegrad_cli> ${TAPEGRAD_RESUME_QUICK} --freeze encoder.)
add_test(NAME cli_train_lr_for_malformed
         COMMAND ${TAPEGRAD_EXPECT_ERROR} --status 2 "train: --lr-for '5.': expected PREFIX=VALUE"
                 $<TARGET_FILE:tapegrad_cli> ${TAPEGRAD_RESUME_QUICK} --lr-for 5.)
add_test(NAME cli_train_lr_for_bad_value
         COMMAND ${TAPEGRAD_EXPECT_ERROR} --status 2 "train: --lr-for '5.=-1' '-1' is out of range"
                 $<TARGET_FILE:tapegrad_cli> ${TAPEGRAD_RESUME_QUICK} --lr-for 5.=-1)
# Nothing is printed before the error: the checks come before the data and the table.
foreach(name cli_train_resume_missing cli_train_init_from_missing cli_train_freeze_unknown_prefix
        cli_train_lr_for_malformed)
  set_tests_properties(${name} PROPERTIES FAIL_REGULAR_EXPRESSION "epoch|Fashion-MNIST \\(")
endforeach()
