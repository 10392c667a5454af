# tapegrad train --plugin: faulty plug-ins are errors with exit status 2 and a message,
# never an abort inside dlopen() (tests/apps/CMakeLists.txt includes this file).
add_library(adam_again_plugin MODULE ${CMAKE_CURRENT_SOURCE_DIR}/plugins/adam_again_plugin.cpp)
target_link_libraries(adam_again_plugin PRIVATE tapegrad::tapegrad tapegrad_warnings)
add_library(no_optimizer_plugin MODULE ${CMAKE_CURRENT_SOURCE_DIR}/plugins/no_optimizer_plugin.cpp)
target_link_libraries(no_optimizer_plugin PRIVATE tapegrad_warnings)
# A second build of the example plug-in: another module that registers "sign_sgd".
add_library(sign_sgd_copy_plugin MODULE ${PROJECT_SOURCE_DIR}/examples/sign_sgd_plugin.cpp)
target_link_libraries(sign_sgd_copy_plugin PRIVATE tapegrad::tapegrad tapegrad_warnings)

set(TAPEGRAD_PLUGIN_ERROR ${TAPEGRAD_EXPECT_ERROR} --status 2)
set(TAPEGRAD_SIGN_SGD $<TARGET_FILE:sign_sgd_plugin>)
add_test(NAME cli_train_plugin_builtin_name
         COMMAND ${TAPEGRAD_PLUGIN_ERROR}
                 "^tapegrad: error: --plugin '.*adam_again_plugin.*': .*an optimizer named 'adam' is already registered$"
                 $<TARGET_FILE:tapegrad_cli> train --plugin $<TARGET_FILE:adam_again_plugin> --list-optimizers)
add_test(NAME cli_train_plugin_second_copy
         COMMAND ${TAPEGRAD_PLUGIN_ERROR}
                 "--plugin '.*sign_sgd_copy_plugin.*': .*an optimizer named 'sign_sgd' is already registered"
                 $<TARGET_FILE:tapegrad_cli> train --plugin ${TAPEGRAD_SIGN_SGD}
                 --plugin $<TARGET_FILE:sign_sgd_copy_plugin> --list-optimizers)
add_test(NAME cli_train_plugin_twice
         COMMAND ${TAPEGRAD_PLUGIN_ERROR} "--plugin: '.*sign_sgd_plugin.*' is loaded already"
                 $<TARGET_FILE:tapegrad_cli> train --plugin ${TAPEGRAD_SIGN_SGD} --plugin ${TAPEGRAD_SIGN_SGD}
                 --list-optimizers)
# The same file under another path is found by the loader as the module it has loaded.
add_test(NAME cli_train_plugin_twice_other_path
         COMMAND ${TAPEGRAD_PLUGIN_ERROR} "--plugin: '.*/\\./.*sign_sgd_plugin.*' is loaded already"
                 $<TARGET_FILE:tapegrad_cli> train --plugin ${TAPEGRAD_SIGN_SGD}
                 --plugin $<TARGET_FILE_DIR:sign_sgd_plugin>/./$<TARGET_FILE_NAME:sign_sgd_plugin> --list-optimizers)
add_test(NAME cli_train_plugin_tapegrad_itself
         COMMAND ${TAPEGRAD_PLUGIN_ERROR} "--plugin: '.*' is loaded already"
                 $<TARGET_FILE:tapegrad_cli> train --plugin $<TARGET_FILE:tapegrad_optim> --list-optimizers)
add_test(NAME cli_train_plugin_registers_nothing
         COMMAND ${TAPEGRAD_PLUGIN_ERROR} "--plugin '.*no_optimizer_plugin.*' registered no optimizer"
                 $<TARGET_FILE:tapegrad_cli> train --plugin $<TARGET_FILE:no_optimizer_plugin> --list-optimizers)
add_test(NAME cli_bench_plugin_builtin_name
         COMMAND ${TAPEGRAD_PLUGIN_ERROR} "an optimizer named 'adam' is already registered"
                 $<TARGET_FILE:tapegrad_cli> bench --plugin $<TARGET_FILE:adam_again_plugin> --functions bowl --steps 1
                 --report "")
