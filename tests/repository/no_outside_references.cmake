# The tree's comments and docs cite only what is in the repository (docs/, a header, a
# paper by name): no mission text, no issue numbers.
add_test(NAME sources_cite_only_the_repository
         COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/no_outside_references.sh ${PROJECT_SOURCE_DIR})
