# install(): headers, the library, knitConfig.cmake (+ version file) and knit.pc.
include(CMakePackageConfigHelpers)
install(DIRECTORY include/knit DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY models/ DESTINATION ${CMAKE_INSTALL_DATADIR}/knit/models FILES_MATCHING PATTERN "*.knit" PATTERN "README.md")
install(TARGETS knit EXPORT knitTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
set(_knit_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/knit)
install(EXPORT knitTargets NAMESPACE knit:: DESTINATION ${_knit_cmake_dir})
configure_package_config_file(cmake/knitConfig.cmake.in
  ${PROJECT_BINARY_DIR}/knitConfig.cmake INSTALL_DESTINATION ${_knit_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/knitConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/knitConfig.cmake ${PROJECT_BINARY_DIR}/knitConfigVersion.cmake
  DESTINATION ${_knit_cmake_dir})
file(RELATIVE_PATH KNIT_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
string(REGEX REPLACE "/$" "" KNIT_PC_TO_PREFIX "${KNIT_PC_TO_PREFIX}")
configure_file(cmake/knit.pc.in ${PROJECT_BINARY_DIR}/knit.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/knit.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
