# tapegrad train --distributed: options it cannot go with are errors before anything runs
# (in any build: these checks come before joining the MPI job).
add_test(NAME cli_train_distributed_with_ensemble
         COMMAND ${TAPEGRAD_EXPECT_ERROR} --status 2 "train: --ensemble evaluates checkpoints and trains nothing; it does not go with --distributed"
                 $<TARGET_FILE:tapegrad_cli> train --distributed --ensemble ${CMAKE_CURRENT_SOURCE_DIR}/CMakeLists.txt)
add_test(NAME cli_train_distributed_with_sanity
         COMMAND ${TAPEGRAD_EXPECT_ERROR} --status 2 "train: --sanity checks one process's model; run it without --distributed"
                 $<TARGET_FILE:tapegrad_cli> train --distributed --sanity)
add_test(NAME cli_train_distributed_with_gradcheck_every
         COMMAND ${TAPEGRAD_EXPECT_ERROR} --status 2 "train: --gradcheck-every runs extra backward passes on one rank"
                 $<TARGET_FILE:tapegrad_cli> train --distributed --gradcheck-every 5)
add_test(NAME cli_train_distributed_bad_timeout
         COMMAND ${TAPEGRAD_EXPECT_ERROR} --status 2 "train: --dist-timeout '-1' is out of range"
                 $<TARGET_FILE:tapegrad_cli> train --distributed --dist-timeout -1)
add_test(NAME cli_train_sync_bn_without_distributed
         COMMAND ${TAPEGRAD_EXPECT_ERROR} --status 2 "train: synchronized BatchNorm is for a distributed run"
                 $<TARGET_FILE:tapegrad_cli> train --sync-bn)
