# The kernel layer (ops/kernels/, its dnnl_* files) is the only code that includes oneDNN.
add_test(NAME no_dnnl_outside_kernels
         COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/no_dnnl_outside_kernels.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(no_dnnl_outside_kernels PROPERTIES PASS_REGULAR_EXPRESSION "included only by ops/kernels/dnnl_")
