# The thread policy as a user sees it: adaptive by default, fixed by OMP_NUM_THREADS or --threads.
set(TAPEGRAD_THREADS_QUICK --model mlp --epochs 1 --train-limit 500 --validation 200
    --checkpoint-dir ${CMAKE_CURRENT_BINARY_DIR}/cli_threads_checkpoints)
add_test(NAME cli_threads_default_adaptive COMMAND tapegrad_cli train ${TAPEGRAD_THREADS_QUICK} --report "")
set_tests_properties(cli_threads_default_adaptive PROPERTIES ENVIRONMENT "OMP_NUM_THREADS="
                     PASS_REGULAR_EXPRESSION "batch 64, [^\n]*, (up to [0-9]+ threads, fewer under load|1 thread)\n")
add_test(NAME cli_threads_omp_num_threads_fixed COMMAND tapegrad_cli train ${TAPEGRAD_THREADS_QUICK} --report "")
set_tests_properties(cli_threads_omp_num_threads_fixed PROPERTIES ENVIRONMENT "OMP_NUM_THREADS=1"
                     PASS_REGULAR_EXPRESSION "batch 64, [^\n]*, 1 thread\n")
add_test(NAME cli_threads_option_fixed COMMAND tapegrad_cli train ${TAPEGRAD_THREADS_QUICK} --report "" --threads 2)
set_tests_properties(cli_threads_option_fixed PROPERTIES PASS_REGULAR_EXPRESSION "batch 64, [^\n]*, 2 threads\n")
