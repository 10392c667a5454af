# Registers the install + find_package consumer test. Include from tests/CMakeLists.txt.
# Skipped under TAPEGRAD_SANITIZE: an ASan-instrumented libtapegrad.so needs the
# consumer executable itself to be built with -fsanitize as well.
if(NOT TAPEGRAD_SANITIZE)
  add_test(NAME install_consumer
    COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/../install_consumer_test.sh
            ${CMAKE_BINARY_DIR} ${CMAKE_BINARY_DIR}/install_consumer_test
            -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER})
  set_tests_properties(install_consumer PROPERTIES TIMEOUT 600 LABELS install)
endif()
