# Model plug-ins: --plugin <module> --model <its model> in train (and --ensemble of its
# checkpoints), search (with worker processes) and bench --fashion; faulty model plug-ins
# are errors with exit status 2 and a message (tests/apps/CMakeLists.txt includes this file).
add_library(model_twice_plugin MODULE ${CMAKE_CURRENT_SOURCE_DIR}/plugins/model_twice_plugin.cpp)
target_link_libraries(model_twice_plugin PRIVATE tapegrad::tapegrad tapegrad_warnings)
add_library(throwing_model_plugin MODULE ${CMAKE_CURRENT_SOURCE_DIR}/plugins/throwing_model_plugin.cpp)
target_link_libraries(throwing_model_plugin PRIVATE tapegrad::tapegrad tapegrad_warnings)

set(TAPEGRAD_TINY_RESNET $<TARGET_FILE:tiny_resnet_plugin>)
set(TAPEGRAD_MODEL_PLUGIN_ERROR ${TAPEGRAD_EXPECT_ERROR} --status 2)
set(TAPEGRAD_TINY_RESNET_CHECKPOINTS ${CMAKE_CURRENT_BINARY_DIR}/cli_model_plugin_checkpoints)

add_test(NAME cli_model_plugin_list_models
         COMMAND tapegrad_cli train --plugin ${TAPEGRAD_TINY_RESNET} --list-models)
set_tests_properties(cli_model_plugin_list_models PROPERTIES PASS_REGULAR_EXPRESSION
  "--plugin '.*tiny_resnet_plugin.*': model tiny_resnet\n.*cnn: .*\\(reads dropout, width\\)\n.*tiny_resnet: a small residual CNN[^\n]*\\(reads dropout\\)")

# One short epoch; the plug-in's model learns (chance is 0.1).
add_test(NAME cli_model_plugin_train
         COMMAND tapegrad_cli train --plugin ${TAPEGRAD_TINY_RESNET} --model tiny_resnet --epochs 1 --train-limit 1000
                 --validation 500 --report "" --checkpoint-dir ${TAPEGRAD_TINY_RESNET_CHECKPOINTS} --json)
set_tests_properties(cli_model_plugin_train PROPERTIES
                     PASS_REGULAR_EXPRESSION "\"model\": \"tiny_resnet\".*\"test_accuracy\": 0\\.[5-9]"
                     FIXTURES_SETUP tiny_resnet_checkpoint)
# The ensemble reader rebuilds the model named in the checkpoint through the registry.
add_test(NAME cli_model_plugin_ensemble
         COMMAND tapegrad_cli train --plugin ${TAPEGRAD_TINY_RESNET}
                 --ensemble ${TAPEGRAD_TINY_RESNET_CHECKPOINTS}/tiny_resnet-best.safetensors --json)
set_tests_properties(cli_model_plugin_ensemble PROPERTIES
                     PASS_REGULAR_EXPRESSION "\"ensemble_test_accuracy\": 0\\.[5-9].*\"model\": \"tiny_resnet\""
                     FIXTURES_REQUIRED tiny_resnet_checkpoint)
add_test(NAME cli_model_plugin_ensemble_without_plugin
         COMMAND ${TAPEGRAD_MODEL_PLUGIN_ERROR} "unknown model 'tiny_resnet'; known models: cnn, mlp, mlp5x100$"
                 $<TARGET_FILE:tapegrad_cli> train
                 --ensemble ${TAPEGRAD_TINY_RESNET_CHECKPOINTS}/tiny_resnet-best.safetensors)
set_tests_properties(cli_model_plugin_ensemble_without_plugin PROPERTIES FIXTURES_REQUIRED tiny_resnet_checkpoint)

# Without the plug-in the name is unknown, and that is found before the data is read.
add_test(NAME cli_model_plugin_train_without_plugin
         COMMAND ${TAPEGRAD_MODEL_PLUGIN_ERROR}
                 "^tapegrad: error: make_model: unknown model 'tiny_resnet'; known models: cnn, mlp, mlp5x100$"
                 $<TARGET_FILE:tapegrad_cli> train --model tiny_resnet --data /nonexistent)
add_test(NAME cli_model_plugin_search_without_plugin
         COMMAND ${TAPEGRAD_MODEL_PLUGIN_ERROR} "search: unknown model 'tiny_resnet'; known: cnn, mlp, mlp5x100$"
                 $<TARGET_FILE:tapegrad_cli> search --model tiny_resnet --data /nonexistent)
add_test(NAME cli_model_plugin_bench_without_plugin
         COMMAND ${TAPEGRAD_MODEL_PLUGIN_ERROR} "unknown model 'tiny_resnet'; known models: cnn, mlp, mlp5x100$"
                 $<TARGET_FILE:tapegrad_cli> bench --fashion --model tiny_resnet --data /nonexistent --report "")
add_test(NAME cli_model_plugin_width_not_read
         COMMAND ${TAPEGRAD_MODEL_PLUGIN_ERROR} "make_model: width 2 applies to the cnn only, not to 'tiny_resnet'"
                 $<TARGET_FILE:tapegrad_cli> train --plugin ${TAPEGRAD_TINY_RESNET} --model tiny_resnet --width 2
                 --data /nonexistent)

add_test(NAME cli_model_plugin_registers_twice
         COMMAND ${TAPEGRAD_MODEL_PLUGIN_ERROR}
                 "^tapegrad: error: --plugin '.*model_twice_plugin.*': nn::register_model: a model named 'twice_net' is already registered, by plug-in '.*model_twice_plugin.*'; registered again by plug-in '.*model_twice_plugin.*'$"
                 $<TARGET_FILE:tapegrad_cli> train --plugin $<TARGET_FILE:model_twice_plugin> --list-models)
add_test(NAME cli_model_plugin_factory_throws
         COMMAND ${TAPEGRAD_MODEL_PLUGIN_ERROR}
                 "^tapegrad: error: make_model: building model 'broken_net' failed: broken_net: this factory always fails$"
                 $<TARGET_FILE:tapegrad_cli> train --plugin $<TARGET_FILE:throwing_model_plugin> --model broken_net
                 --epochs 1 --train-limit 100 --validation 100 --report "" --checkpoint-dir "")

# Two worker processes: each loads the plug-in the master was given.
add_test(NAME cli_model_plugin_search_workers
         COMMAND tapegrad_cli search --plugin ${TAPEGRAD_TINY_RESNET} --model tiny_resnet --workers 2 --threads 1
                 --stages 1 --trials 2 --epochs 1 --train-limit 300 --validation 200 --checkpoint-dir ""
                 --fresh --results ${CMAKE_CURRENT_BINARY_DIR}/cli_model_plugin_search.jsonl --json)
set_tests_properties(cli_model_plugin_search_workers PROPERTIES PASS_REGULAR_EXPRESSION
  "\"best\": {[^}]*\"validation_accuracy\": 0\\..*\"ran\": 2")

add_test(NAME cli_model_plugin_bench_fashion
         COMMAND tapegrad_cli bench --plugin ${TAPEGRAD_TINY_RESNET} --fashion --model tiny_resnet --optimizers adam
                 --iterations 5 --batch-size 32 --train-limit 160 --threads 1 --report "" --json)
set_tests_properties(cli_model_plugin_bench_fashion PROPERTIES PASS_REGULAR_EXPRESSION
  "Fashion-MNIST, tiny_resnet after 5 iterations of batch 32")

# The sanity checks build the plug-in's model through the registry too; the example's
# small classifier weights make its initial loss ln 10 (exit 0: every check passes).
add_test(NAME cli_model_plugin_sanity
         COMMAND tapegrad_cli train --plugin ${TAPEGRAD_TINY_RESNET} --model tiny_resnet --sanity --train-limit 1000
                 --validation 500)
set_tests_properties(cli_model_plugin_sanity PROPERTIES PASS_REGULAR_EXPRESSION
  "PASS  loss at init \\(256 examples\\): softmax 2\\.3.*PASS  overfit 20 examples")
