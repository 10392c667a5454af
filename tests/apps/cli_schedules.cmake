# tapegrad train --schedule: every schedule of docs/schedules.md from the command line, the
# default cosine with an optimizer that requires lr > 0, and checks before any work: each
# error below is all the command prints (expect_error_alone.sh), so no data was loaded and
# no table header printed before it.
add_library(positive_lr_plugin MODULE ${CMAKE_CURRENT_SOURCE_DIR}/plugins/positive_lr_plugin.cpp)
target_link_libraries(positive_lr_plugin PRIVATE tapegrad::tapegrad tapegrad_warnings)

set(TAPEGRAD_ERROR_ALONE ${CMAKE_CURRENT_SOURCE_DIR}/expect_error_alone.sh --status 2)
# (An empty argument cannot live in a CMake list: --checkpoint-dir "" --report "" are written out.)
set(TAPEGRAD_SCHEDULE_RUN --model mlp --train-limit 1000 --validation 500 --json)
set(TAPEGRAD_POSITIVE_LR --plugin $<TARGET_FILE:positive_lr_plugin> --optimizer positive_lr_sgd)

# The default cosine ends at a0/1000, not 0: the plug-in's lr > 0 holds to the end (exit 0).
add_test(NAME cli_schedule_default_cosine_positive_lr_plugin
         COMMAND bash -c "set -o pipefail; \"$@\" | grep -Pzo '\"lr\": 5(\\.0+\\d*)?e-05(?s:.*)\"test_accuracy\": 0\\.[5-9]'"
                 run $<TARGET_FILE:tapegrad_cli> train ${TAPEGRAD_SCHEDULE_RUN} --checkpoint-dir "" --report ""
                 --epochs 1 ${TAPEGRAD_POSITIVE_LR}
                 --opt lr=0.05)

# Each rule's lr after epochs 1 and 2 (adamw, a0 = 0.001), from the formulas in
# tapegrad/train/schedule.hpp.
function(tapegrad_schedule_run name schedule regex)
  add_test(NAME cli_schedule_${name}
           COMMAND tapegrad_cli train ${TAPEGRAD_SCHEDULE_RUN} --checkpoint-dir "" --report "" --epochs 2
                   --schedule ${schedule})
  set_tests_properties(cli_schedule_${name} PROPERTIES PASS_REGULAR_EXPRESSION "${regex}"
                       FAIL_REGULAR_EXPRESSION "error")
endfunction()
tapegrad_schedule_run(step "step:gamma=0.5" "\"lr\": 0\\.0005,.*\"lr\": 0\\.00025,")
tapegrad_schedule_run(exponential "exponential:k=0.6931471805599453" "\"lr\": 0\\.0005[,0-9].*\"lr\": 0\\.00025[,0-9]")
tapegrad_schedule_run(inverse_time "inverse_time:k=1" "\"lr\": 0\\.0005,.*\"lr\": 0\\.0003333")
# 2 epochs, 1 restart, period_mult 1: one epoch per cycle, each ending at a0/1000 (per epoch: at
# u = 1 the second cycle starts at a0).
tapegrad_schedule_run(cosine_restarts "cosine:restarts=1,every=epoch" "\"lr\": 0\\.001,.*\"lr\": 0\\.001,")
tapegrad_schedule_run(cosine_epoch_min_lr "cosine:every=epoch,min_lr=0.0002" "\"lr\": 0\\.0006[0-9]*,.*\"lr\": 0\\.0002,")
# 1000 images, batch 64: 16 steps per epoch; 8 warm-up steps end inside epoch 1.
tapegrad_schedule_run(warmup_alone "warmup:steps=8" "\"lr\": 0\\.001,.*\"lr\": 0\\.001,")
tapegrad_schedule_run(warmup_then_step "warmup:steps=8+step:gamma=0.5,every=batch"
                      "\"lr\": 3\\.90625e-06,.*\"lr\": 5\\.96046447753906[0-9]*e-11,")
tapegrad_schedule_run(none "none" "\"lr\": 0\\.001,.*\"lr\": 0\\.001,")
# The validation loss cannot rise by much in epoch 2: patience 0 and a threshold of 100%
# count it as a bad epoch, so lr is halved after it.
tapegrad_schedule_run(plateau "plateau:patience=0,threshold=1,factor=0.5" "\"lr\": 0\\.001,.*\"lr\": 0\\.0005,")
# The annealed momentum is not in the JSON (the doctests check its values): this run shows the
# command line takes the momentum part and trains with it to the end.
add_test(NAME cli_schedule_momentum
         COMMAND tapegrad_cli train ${TAPEGRAD_SCHEDULE_RUN} --checkpoint-dir "" --report "" --epochs 1
                 --optimizer momentum --opt lr=0.01
                 --schedule "momentum:start=0.5,end=0.9+cosine")
set_tests_properties(cli_schedule_momentum PROPERTIES PASS_REGULAR_EXPRESSION "\"optimizer\": \"momentum\".*\"test_accuracy\""
                     FAIL_REGULAR_EXPRESSION "error")

function(tapegrad_error_alone name regex)
  add_test(NAME ${name} COMMAND ${TAPEGRAD_ERROR_ALONE} "${regex}" $<TARGET_FILE:tapegrad_cli> ${ARGN})
endfunction()
set(TAPEGRAD_QUICK_TRAIN train --model mlp --epochs 1 --train-limit 1000 --validation 500)

# Schedule errors name the part, the key or value, and what is accepted.
tapegrad_error_alone(cli_schedule_unknown
  "schedule: unknown schedule 'cosin'; known: none, step, exponential, inverse_time, cosine, plateau, warmup, momentum"
  ${TAPEGRAD_QUICK_TRAIN} --schedule cosin)
tapegrad_error_alone(cli_schedule_unknown_key "schedule 'step': unknown key 'size'; step takes: step_size, gamma, every"
  ${TAPEGRAD_QUICK_TRAIN} --schedule step:size=3)
tapegrad_error_alone(cli_schedule_bad_number "schedule 'exponential': k must be a number, got 'fast'"
  ${TAPEGRAD_QUICK_TRAIN} --schedule exponential:k=fast)
tapegrad_error_alone(cli_schedule_bad_integer "schedule 'step': step_size must be an integer, got '1.5'"
  ${TAPEGRAD_QUICK_TRAIN} --schedule step:step_size=1.5)
tapegrad_error_alone(cli_schedule_out_of_range "schedule 'plateau': factor must be a number in \\(0, 1\\), got 2"
  ${TAPEGRAD_QUICK_TRAIN} --schedule plateau:factor=2)
tapegrad_error_alone(cli_schedule_not_key_value "schedule 'cosine': 'restarts' is not key=value"
  ${TAPEGRAD_QUICK_TRAIN} --schedule cosine:restarts)
tapegrad_error_alone(cli_schedule_two_rules "'step' and 'cosine' are both learning-rate rules; give one"
  ${TAPEGRAD_QUICK_TRAIN} --schedule step+cosine)
tapegrad_error_alone(cli_schedule_warmup_length "schedule 'warmup': give its length, steps=N or epochs=N"
  ${TAPEGRAD_QUICK_TRAIN} --schedule warmup+cosine)
tapegrad_error_alone(cli_schedule_bad_metric "schedule 'plateau': metric must be loss or accuracy, got 'f1'"
  ${TAPEGRAD_QUICK_TRAIN} --schedule plateau:metric=f1)
add_test(NAME cli_schedule_empty COMMAND ${TAPEGRAD_ERROR_ALONE} "schedule: empty; expected e.g. 'cosine'"
         $<TARGET_FILE:tapegrad_cli> ${TAPEGRAD_QUICK_TRAIN} --schedule "")
# Errors that need the optimizer: met on a stand-in parameter before the data loads.
tapegrad_error_alone(cli_schedule_momentum_option_missing
  "schedule 'momentum': optimizer adamw has no option 'momentum' to anneal \\(its options: lr, beta1.*choose one with momentum:option=NAME"
  ${TAPEGRAD_QUICK_TRAIN} --schedule momentum+cosine)
tapegrad_error_alone(cli_schedule_momentum_out_of_range
  "schedule 'momentum': end: option 'beta1' must satisfy 0 <= beta1 < 1, got 1"
  ${TAPEGRAD_QUICK_TRAIN} --schedule momentum:option=beta1,end=1)
tapegrad_error_alone(cli_schedule_cosine_to_zero_positive_lr
  "schedule 'cosine': lr 0 at the end \\(from lr 0.01\\) is refused by optimizer positive_lr_sgd, which requires lr > 0; give cosine a min_lr in that range"
  ${TAPEGRAD_QUICK_TRAIN} ${TAPEGRAD_POSITIVE_LR} --schedule cosine:min_lr=0)
tapegrad_error_alone(cli_schedule_plateau_min_lr_positive_lr
  "schedule 'plateau': min_lr 0 is refused by optimizer positive_lr_sgd, which requires lr > 0"
  ${TAPEGRAD_QUICK_TRAIN} ${TAPEGRAD_POSITIVE_LR} --schedule plateau:min_lr=0)

# Validate before working: the other options of train, each alone on the output.
tapegrad_error_alone(cli_train_option_out_of_range_before_data
  "adamw: option 'beta1' must satisfy 0 <= beta1 < 1, got 2" ${TAPEGRAD_QUICK_TRAIN} --opt beta1=2)
tapegrad_error_alone(cli_train_unknown_option_before_data "adamw: unknown option 'momentun'; options: lr, beta1, beta2"
  ${TAPEGRAD_QUICK_TRAIN} --opt momentun=0.9)
tapegrad_error_alone(cli_train_unknown_optimizer_before_data "unknown optimizer 'adamax'"
  ${TAPEGRAD_QUICK_TRAIN} --optimizer adamax)
tapegrad_error_alone(cli_train_model_option_before_data "width 2 applies to the cnn only, not to 'mlp'"
  ${TAPEGRAD_QUICK_TRAIN} --width 2)
tapegrad_error_alone(cli_train_plugin_before_data "--plugin: cannot load 'no_such_plugin.so'"
  ${TAPEGRAD_QUICK_TRAIN} --plugin no_such_plugin.so)
tapegrad_error_alone(cli_train_data_folder_before_data
  "train: --data: no folder '/nonexistent' holding Fashion-MNIST; install the Debian package with `apt-get install dataset-fashion-mnist`"
  ${TAPEGRAD_QUICK_TRAIN} --data /nonexistent)
tapegrad_error_alone(cli_train_ensemble_pattern_no_match
  "train: --ensemble: no file matches the pattern '/nonexistent/\\*-epoch\\*.safetensors'"
  train --ensemble "/nonexistent/*-epoch*.safetensors")
tapegrad_error_alone(cli_train_ensemble_missing_member_before_data
  "--ensemble: no checkpoint file 'missing.safetensors'" train --ensemble missing.safetensors)
# A file that is not a checkpoint (this script) fails when it loads, before the data does.
tapegrad_error_alone(cli_train_ensemble_bad_member_before_data "expect_error\\.sh"
  train --ensemble ${CMAKE_CURRENT_SOURCE_DIR}/expect_error.sh)

# --ensemble 'folder/*-epoch*.safetensors' evaluates every checkpoint a run kept.
set(TAPEGRAD_ENSEMBLE_DIR ${CMAKE_CURRENT_BINARY_DIR}/cli_schedule_ensemble)
add_test(NAME cli_train_ensemble_pattern_setup
         COMMAND sh -c "rm -rf \"$1\" && \"$0\" train --model mlp --epochs 2 --train-limit 1000 --validation 500 \
                        --schedule none --opt lr=0.003 --keep-checkpoints 0 --report '' --checkpoint-dir \"$1\""
                 $<TARGET_FILE:tapegrad_cli> ${TAPEGRAD_ENSEMBLE_DIR})
set_tests_properties(cli_train_ensemble_pattern_setup PROPERTIES FIXTURES_SETUP schedule_ensemble_checkpoints)
add_test(NAME cli_train_ensemble_pattern
         COMMAND tapegrad_cli train --ensemble "${TAPEGRAD_ENSEMBLE_DIR}/mlp-epoch*.safetensors")
set_tests_properties(cli_train_ensemble_pattern PROPERTIES FIXTURES_REQUIRED schedule_ensemble_checkpoints
                     PASS_REGULAR_EXPRESSION "--ensemble: 2 checkpoints.*mlp-epoch01-val.*mlp-epoch02-val")
