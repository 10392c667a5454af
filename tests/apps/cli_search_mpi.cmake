# tapegrad search --mpi under mpirun (built with MPI only): a search over 2 ranks, one
# killed with SIGKILL and resumed, a worker rank or rank 0 that dies; bad input exits
# non-zero with a message (tests/apps/CMakeLists.txt includes this file).
if(TAPEGRAD_MPI)
  # As root (CI), Open MPI needs the OMPI_ALLOW_RUN_AS_ROOT variables; one thread per rank.
  set(TAPEGRAD_SEARCH_MPI_ENVIRONMENT OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1)
  if(TAPEGRAD_SANITIZE)
    # Open MPI's runtime allocations cannot be suppressed by name (tests/dist/CMakeLists.txt).
    list(APPEND TAPEGRAD_SEARCH_MPI_ENVIRONMENT ASAN_OPTIONS=detect_leaks=0)
  endif()
  foreach(mode IN ITEMS np2 resume rank_dies master_dies)
    add_test(NAME cli_search_mpi_${mode}
             COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_search_mpi_test.sh $<TARGET_FILE:tapegrad_cli>
                     ${MPIEXEC_EXECUTABLE} ${CMAKE_CURRENT_BINARY_DIR}/cli_search_mpi_${mode} ${mode})
    set_tests_properties(cli_search_mpi_${mode} PROPERTIES TIMEOUT 300 ENVIRONMENT "${TAPEGRAD_SEARCH_MPI_ENVIRONMENT}")
  endforeach()
  # The worker ranks load the plug-ins rank 0 was given, and train its model.
  add_test(NAME cli_search_mpi_plugin_model
           COMMAND ${MPIEXEC_EXECUTABLE} --oversubscribe -np 2 $<TARGET_FILE:tapegrad_cli> search --mpi
                   --plugin $<TARGET_FILE:tiny_resnet_plugin> --model tiny_resnet --threads 1 --stages 1 --trials 2
                   --epochs 1 --train-limit 300 --validation 200 --checkpoint-dir "" --report "" --fresh
                   --results ${CMAKE_CURRENT_BINARY_DIR}/cli_search_mpi_plugin_model.jsonl --json)
  set_tests_properties(cli_search_mpi_plugin_model PROPERTIES TIMEOUT 300 ENVIRONMENT "${TAPEGRAD_SEARCH_MPI_ENVIRONMENT}"
                       PASS_REGULAR_EXPRESSION "\"best\": {[^}]*\"validation_accuracy\": 0\\..*\"ran\": 2")
  # A worker rank that cannot build its trials: rank 0 names it, and ends the job (status 2).
  add_test(NAME cli_search_mpi_missing_data
           COMMAND ${TAPEGRAD_EXPECT_ERROR} --status 2
                   "tapegrad: error: search: rank 1 could not start: .*apt-get install dataset-fashion-mnist"
                   ${MPIEXEC_EXECUTABLE} --oversubscribe -np 2 $<TARGET_FILE:tapegrad_cli> search --mpi --stages 1
                   --trials 2 --train-limit 300 --validation 200 --checkpoint-dir "" --report "" --fresh
                   --results ${CMAKE_CURRENT_BINARY_DIR}/cli_search_mpi_missing_data.jsonl --data /nonexistent)
  set_tests_properties(cli_search_mpi_missing_data PROPERTIES TIMEOUT 120 ENVIRONMENT "${TAPEGRAD_SEARCH_MPI_ENVIRONMENT}")
  add_test(NAME cli_search_mpi_one_rank
           COMMAND ${TAPEGRAD_EXPECT_ERROR} --status 2
                   "search: --mpi needs at least 2 ranks \\(rank 0 hands out the trials, the others run them\\), got 1; start it with mpirun -np N, N >= 2"
                   $<TARGET_FILE:tapegrad_cli> search --mpi --stages 1 --trials 1)
  set_tests_properties(cli_search_mpi_one_rank PROPERTIES ENVIRONMENT "${TAPEGRAD_SEARCH_MPI_ENVIRONMENT}")
else()
  add_test(NAME cli_search_mpi_without_mpi
           COMMAND ${TAPEGRAD_EXPECT_ERROR} --status 2 "distributed run: tapegrad was built without MPI"
                   $<TARGET_FILE:tapegrad_cli> search --mpi --stages 1 --trials 1)
endif()
add_test(NAME cli_search_mpi_with_workers
         COMMAND ${TAPEGRAD_EXPECT_ERROR} --status 2
                 "search: --mpi and --workers do not go together: with --mpi the ranks other than 0 run the trials"
                 $<TARGET_FILE:tapegrad_cli> search --mpi --workers 2)
add_test(NAME cli_search_mpi_with_trial_timeout
         COMMAND ${TAPEGRAD_EXPECT_ERROR} --status 2
                 "search: --trial-timeout times --workers' processes; with --mpi a rank that stays silent for --mpi-timeout seconds counts as dead instead"
                 $<TARGET_FILE:tapegrad_cli> search --mpi --trial-timeout 10)
add_test(NAME cli_search_mpi_bad_timeout
         COMMAND ${TAPEGRAD_EXPECT_ERROR} --status 2 "search: --mpi-timeout '0' is out of range: expected a number in \\(0, 1000000\\]"
                 $<TARGET_FILE:tapegrad_cli> search --mpi --mpi-timeout 0)
add_test(NAME cli_search_mpi_timeout_not_a_number
         COMMAND ${TAPEGRAD_EXPECT_ERROR} --status 2 "search: --mpi-timeout 'soon' is not a number"
                 $<TARGET_FILE:tapegrad_cli> search --mpi --mpi-timeout soon)
add_test(NAME cli_search_mpi_timeout_without_mpi
         COMMAND ${TAPEGRAD_EXPECT_ERROR} --status 2 "search: --mpi-timeout applies to a distributed search only \\(--mpi\\)"
                 $<TARGET_FILE:tapegrad_cli> search --mpi-timeout 10)
