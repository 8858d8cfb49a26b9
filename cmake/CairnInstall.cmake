# `cmake --install` puts the public headers, the subsystem libraries and a package config in
# the prefix, so that `find_package(cairn)` works from a separate project.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

get_property(cairn_libraries GLOBAL PROPERTY CAIRN_LIBRARIES)
install(TARGETS cairn ${cairn_libraries} EXPORT cairnTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/cairn DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT cairnTargets NAMESPACE cairn:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/cairn)
configure_package_config_file(cmake/cairnConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cairnConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/cairn)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cairnConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cairnConfig.cmake ${PROJECT_BINARY_DIR}/cairnConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/cairn)
install(FILES cmake/CairnPipeline.cmake DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/cairn)
