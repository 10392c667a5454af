# tapegrad train's diagnostics from the command line: sanity checks, the report,
# ensembles, averaging, and clear errors for bad input.
set(TAPEGRAD_DIAG_QUICK --model mlp --epochs 1 --train-limit 1000 --validation 500)
set(TAPEGRAD_DIAG_DIR ${CMAKE_CURRENT_BINARY_DIR}/cli_train_diagnostics)

add_test(NAME cli_train_sanity COMMAND tapegrad_cli train ${TAPEGRAD_DIAG_QUICK} --sanity)
set_tests_properties(cli_train_sanity PROPERTIES PASS_REGULAR_EXPRESSION
                     "PASS  loss at init.*vs -ln\\(1/10\\) = 2\\.3026.*\nPASS  regularization raises the loss.*\nPASS  overfit 20 examples")

# The report holds one <svg> per plot (kTrainReportPlots = 9 in diagnostics/train_report.hpp).
add_test(NAME cli_train_report
         COMMAND sh -c "rm -f \"$1\" && \"$0\" train $2 $3 $4 $5 $6 $7 $8 $9 --checkpoint-dir '' --report \"$1\" >/dev/null && \
                        n=$(grep -o '<svg' \"$1\" | wc -l) && echo \"$n <svg elements\" && [ \"$n\" -eq 9 ]"
                 $<TARGET_FILE:tapegrad_cli> ${TAPEGRAD_DIAG_DIR}/report.html ${TAPEGRAD_DIAG_QUICK})

# --average adds the averaged accuracies to the JSON; the checkpoints carry the validation accuracy.
add_test(NAME cli_train_average_json
         COMMAND tapegrad_cli train ${TAPEGRAD_DIAG_QUICK} --average --report "" --checkpoint-dir ${TAPEGRAD_DIAG_DIR}/average --json)
set_tests_properties(cli_train_average_json PROPERTIES PASS_REGULAR_EXPRESSION
                     "\"averaged_test_accuracy\": 0\\.[0-9]+.*mlp-epoch01-val0\\.[0-9][0-9][0-9][0-9]\\.safetensors")

set(TAPEGRAD_EXPECT_ERROR ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh)
add_test(NAME cli_train_ensemble_missing
         COMMAND ${TAPEGRAD_EXPECT_ERROR} "--ensemble: no checkpoint file 'missing.safetensors'"
                 $<TARGET_FILE:tapegrad_cli> train --ensemble missing.safetensors)
add_test(NAME cli_train_gradcheck_every_zero
         COMMAND ${TAPEGRAD_EXPECT_ERROR} "--gradcheck-every '0' is out of range: expected an integer in \\[1, 1000000000\\]"
                 $<TARGET_FILE:tapegrad_cli> train ${TAPEGRAD_DIAG_QUICK} --gradcheck-every 0)
add_test(NAME cli_train_then_train_alone
         COMMAND ${TAPEGRAD_EXPECT_ERROR} "--then-train goes with --sanity"
                 $<TARGET_FILE:tapegrad_cli> train ${TAPEGRAD_DIAG_QUICK} --then-train)

# --gradcheck-every: tg::nn::gradcheck_module on the training model, its table naming the parameters.
add_test(NAME cli_train_gradcheck_every
         COMMAND tapegrad_cli train ${TAPEGRAD_DIAG_QUICK} --gradcheck-every 10 --report "" --checkpoint-dir "")
set_tests_properties(cli_train_gradcheck_every PROPERTIES PASS_REGULAR_EXPRESSION
                     "gradcheck of the loss at step 10 \\(4 examples, 10 coordinates per parameter, f64\\): (good|ok-with-kinks).*draws one mask, replayed in every evaluation.*\n  1\\.weight +\\[256, 784\\] +10 ")
