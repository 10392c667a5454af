# The optimizer options a PyTorch user reaches for are listed and validated by the CLI
# (tests/apps/CMakeLists.txt includes this file).
add_test(NAME cli_train_lists_optimizer_options COMMAND $<TARGET_FILE:tapegrad_cli> train --list-optimizers)
# In the listing's order: adagrad, adam, momentum, nesterov, rmsprop.
set_tests_properties(cli_train_lists_optimizer_options PROPERTIES PASS_REGULAR_EXPRESSION
  "lr_decay +number.*initial_accumulator_value +number.*amsgrad +boolean.*dampening +number.*rho_form +boolean.*centered +boolean")
add_test(NAME cli_train_bad_dampening
         COMMAND ${TAPEGRAD_EXPECT_ERROR} --status 2 "momentum: option 'dampening' must satisfy 0 <= dampening <= 1, got 2"
                 $<TARGET_FILE:tapegrad_cli> train --optimizer momentum --opt dampening=2 --epochs 1)
