# Install rules and the find_package(tapegrad) package config.
# Included at the end of the top-level CMakeLists.txt, after all targets exist.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(TAPEGRAD_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/tapegrad)

# One shared library per layer; tapegrad::tapegrad is the INTERFACE target linking the
# four below train. DNNL is linked PRIVATE into libtapegrad_ops.so, so it is found through
# that library's DT_NEEDED at run time and is not part of the exported interface.
set(TAPEGRAD_LIBRARIES tapegrad_core tapegrad_ops tapegrad_nn tapegrad_optim tapegrad_train)
# dist/ (built with MPI) links MPI privately: its users need no MPI to build against it.
if(TARGET tapegrad_dist)
  list(APPEND TAPEGRAD_LIBRARIES tapegrad_dist)
endif()
install(TARGETS tapegrad ${TAPEGRAD_LIBRARIES} EXPORT tapegradTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
set_target_properties(${TAPEGRAD_LIBRARIES} PROPERTIES INSTALL_RPATH "$ORIGIN")

if(TARGET tapegrad_cli)
  # Relative RPATH so an installed prefix can be moved and still run.
  set_target_properties(tapegrad_cli PROPERTIES
    INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
  install(TARGETS tapegrad_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

install(EXPORT tapegradTargets
  NAMESPACE tapegrad::
  FILE tapegradTargets.cmake
  DESTINATION ${TAPEGRAD_CMAKE_INSTALL_DIR})

configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/tapegradConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/tapegradConfig.cmake
  INSTALL_DESTINATION ${TAPEGRAD_CMAKE_INSTALL_DIR})
# 0.x: a minor bump may break the API.
write_basic_package_version_file(
  ${CMAKE_CURRENT_BINARY_DIR}/tapegradConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/tapegradConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/tapegradConfigVersion.cmake
  DESTINATION ${TAPEGRAD_CMAKE_INSTALL_DIR})
