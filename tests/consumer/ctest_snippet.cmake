# Registers the tests that build stand-alone projects against an installed tapegrad
# (install + find_package). Include from tests/CMakeLists.txt.
# Skipped under TAPEGRAD_SANITIZE: an ASan-instrumented libtapegrad.so needs the
# consumer executable itself to be built with -fsanitize as well.
if(NOT TAPEGRAD_SANITIZE)
  set(TAPEGRAD_INSTALL_TEST ${CMAKE_CURRENT_LIST_DIR}/../install_consumer_test.sh)
  set(TAPEGRAD_CONSUMER_ENVIRONMENT "CONSUMER_CMAKE_ARGS=-DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}"
                                    ${TAPEGRAD_TEST_THREADS})
  add_test(NAME install_consumer
    COMMAND bash ${TAPEGRAD_INSTALL_TEST} ${CMAKE_BINARY_DIR} ${CMAKE_BINARY_DIR}/install_consumer_test
            ${CMAKE_CURRENT_LIST_DIR} consumer)
  # examples/own_model: a residual CNN of the user's own, trained with the monitors, the
  # report, the sanity checks, a model gradcheck and a 3-trial search (2000 images, 2 epochs).
  add_test(NAME example_own_model_installed
    COMMAND bash ${TAPEGRAD_INSTALL_TEST} ${CMAKE_BINARY_DIR} ${CMAKE_BINARY_DIR}/example_own_model_test
            ${PROJECT_SOURCE_DIR}/examples/own_model own_model out 2000 2)
  # examples/custom_function (docs/custom_functions.md): a tg::Function gradchecked, then
  # a broken copy of its backward reported wrong with its element index.
  add_test(NAME example_custom_function_installed
    COMMAND bash ${TAPEGRAD_INSTALL_TEST} ${CMAKE_BINARY_DIR} ${CMAKE_BINARY_DIR}/example_custom_function_test
            ${PROJECT_SOURCE_DIR}/examples/custom_function custom_function)
  set_tests_properties(install_consumer example_own_model_installed example_custom_function_installed PROPERTIES
                       TIMEOUT 600 LABELS install ENVIRONMENT "${TAPEGRAD_CONSUMER_ENVIRONMENT}")
  set_tests_properties(example_own_model_installed PROPERTIES PASS_REGULAR_EXPRESSION "own_model: OK")
  set_tests_properties(example_custom_function_installed PROPERTIES PASS_REGULAR_EXPRESSION
                       "softclip:\ngradcheck: good.*broken_softclip: wrong at element \\[[0-9], [0-9]\\].*custom_function: OK")
endif()
