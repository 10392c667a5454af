# tapegrad bench: the race on one function prints its table and writes a report with
# one <svg> per plot; --fashion and --step-cost run on small sizes; bad input exits
# non-zero with a message that names it.
set(TAPEGRAD_BENCH_REPORT ${CMAKE_CURRENT_BINARY_DIR}/cli_bench_report.html)
add_test(NAME cli_bench_bowl_table
         COMMAND tapegrad_cli bench --functions bowl --optimizers sgd,momentum,adam --steps 200 --report "")
# The tuned lrs (10^(-1/3) = 0.464 for all three) and the iterations to 1e-6 of each.
set_tests_properties(cli_bench_bowl_table PROPERTIES PASS_REGULAR_EXPRESSION
  "iterations to f - f_min < 1e-06[^\n]*\nsgd +0\\.464 \\(tuned\\) +155 [^\n]*\nmomentum +0\\.464 \\(tuned\\) +147 [^\n]*\nadam +0\\.464 \\(tuned\\) +143 ")
# Two functions (a contour and a loss plot each) and the Fashion-MNIST curves: 5 plots.
add_test(NAME cli_bench_report_svgs
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/count_in_file.sh ${TAPEGRAD_BENCH_REPORT} "<svg" 5
                 $<TARGET_FILE:tapegrad_cli> bench --functions bowl,noisy_saddle --optimizers sgd,adam --steps 50
                 --fashion --iterations 10 --batch-size 32 --train-limit 320 --threads 1
                 --report ${TAPEGRAD_BENCH_REPORT})
add_test(NAME cli_bench_json
         COMMAND tapegrad_cli bench --functions saddle --optimizers sgd --lr sgd=0.01 --steps 300 --json --report "")
# SGD at 0.01 multiplies y by 1.02 per step: 1e-3 -> 1 takes 349 steps, so no escape in 300.
set_tests_properties(cli_bench_json PROPERTIES PASS_REGULAR_EXPRESSION
  "\"iterations_to_tolerance\": null,[^}]*\"lr\": 0\\.01,[^}]*\"lr_tuned\": false")
add_test(NAME cli_bench_step_cost
         COMMAND tapegrad_cli bench --step-cost --step-cost-sizes 1000,20000 --optimizers sgd,adam --threads 1 --report "")
set_tests_properties(cli_bench_step_cost PROPERTIES PASS_REGULAR_EXPRESSION
  "optimizer +1k params +20k params\nsgd +[0-9.]+ +[0-9.]+\nadam +[0-9.]+ +[0-9.]+")
# Without --optimizers every registered first-order optimizer races, plug-ins included.
add_test(NAME cli_bench_plugin_optimizer
         COMMAND tapegrad_cli bench --plugin $<TARGET_FILE:sign_sgd_plugin> --functions bowl --steps 20 --report "")
set_tests_properties(cli_bench_plugin_optimizer PROPERTIES PASS_REGULAR_EXPRESSION
  "8 optimizers \\(adagrad, adam, adamw, momentum, nesterov, rmsprop, sgd, sign_sgd\\).*\nsign_sgd +[0-9.]+ \\(tuned\\)")

add_test(NAME cli_bench_unknown_optimizer
         COMMAND ${TAPEGRAD_EXPECT_ERROR} "unknown optimizer 'adamax'.*adam" $<TARGET_FILE:tapegrad_cli>
                 bench --optimizers sgd,adamax --report "")
add_test(NAME cli_bench_unknown_function
         COMMAND ${TAPEGRAD_EXPECT_ERROR} "unknown test function 'himmelblau'; known: bowl, saddle, rosenbrock"
                 $<TARGET_FILE:tapegrad_cli> bench --functions bowl,himmelblau --report "")
add_test(NAME cli_bench_bad_lr_form
         COMMAND ${TAPEGRAD_EXPECT_ERROR} "--lr expects optimizer=lr \\(e\\.g\\. adam=0\\.1\\), got 'adam'"
                 $<TARGET_FILE:tapegrad_cli> bench --lr adam --report "")
add_test(NAME cli_bench_bad_lr_value
         COMMAND ${TAPEGRAD_EXPECT_ERROR} "--lr adam=fast: the lr must be a positive number, got 'fast'"
                 $<TARGET_FILE:tapegrad_cli> bench --lr adam=fast --report "")
add_test(NAME cli_bench_lr_not_raced
         COMMAND ${TAPEGRAD_EXPECT_ERROR} "--lr adam=0.1: 'adam' is not one of the optimizers raced \\(sgd\\)"
                 $<TARGET_FILE:tapegrad_cli> bench --optimizers sgd --lr adam=0.1 --report "")
add_test(NAME cli_bench_fashion_missing_data
         COMMAND ${TAPEGRAD_EXPECT_ERROR} "apt-get install dataset-fashion-mnist" $<TARGET_FILE:tapegrad_cli>
                 bench --fashion --data /nonexistent --report "")
add_test(NAME cli_bench_step_cost_lbfgs
         COMMAND ${TAPEGRAD_EXPECT_ERROR} "'lbfgs' is not a first-order optimizer" $<TARGET_FILE:tapegrad_cli>
                 bench --step-cost --optimizers sgd,lbfgs --report "")
