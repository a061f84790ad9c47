# SPDX-License-Identifier: Apache-2.0
# Install rules (GNUInstallDirs), for whichever targets this configuration built:
#   bin/        verify-roundtrip, verify-roundtrip-min (minimal profile)
#   man1/       verify-roundtrip.1
#   completions bash (share/bash-completion/completions), zsh, fish (generated at build time
#               from the option table by mv_gen_completions)
#   doc/        README.md, NOTICE, LICENSE, examples/
#   the engine  libmailverify_{core,protocols,tls,engine}.a, every public header under
#               include/mailverify/, the CMake package (find_package(mailverify CONFIG) →
#               mailverify::engine) and mailverify.pc.
# scripts/check-packaging.sh installs into a staging prefix and checks all of it.
include(CMakePackageConfigHelpers)

set(MAILVERIFY_ZSH_COMPLETION_DIR "${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions"
    CACHE STRING "Where the zsh completion goes (Debian's zsh reads vendor-completions)")
set(MAILVERIFY_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/mailverify")

foreach(tool verify-roundtrip verify-roundtrip-min)
  if(TARGET ${tool})
    install(TARGETS ${tool} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tool)
  endif()
endforeach()

install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/NOTICE
              ${PROJECT_SOURCE_DIR}/LICENSE
        DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT tool)

if(TARGET verify-roundtrip)
  install(FILES ${PROJECT_SOURCE_DIR}/docs/verify-roundtrip.1
          DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT tool)
  install(FILES ${MV_COMPLETIONS_DIR}/verify-roundtrip.bash
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
          RENAME verify-roundtrip COMPONENT tool)
  install(FILES ${MV_COMPLETIONS_DIR}/_verify-roundtrip
          DESTINATION ${MAILVERIFY_ZSH_COMPLETION_DIR} COMPONENT tool)
  install(FILES ${MV_COMPLETIONS_DIR}/verify-roundtrip.fish
          DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d COMPONENT tool)
endif()

# The engine as a library. The minimal profile's mbedTLS is built from source with a private
# configuration, so that build installs no library for others to link.
if(MAILVERIFY_MBEDTLS_SOURCE)
  return()
endif()

install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples COMPONENT dev)

install(TARGETS mv_core mv_protocols mv_tls mv_engine EXPORT mailverifyTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(EXPORT mailverifyTargets NAMESPACE mailverify:: DESTINATION ${MAILVERIFY_CMAKE_DIR}
        COMPONENT dev)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/mailverifyConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/mailverifyConfig.cmake
                              INSTALL_DESTINATION ${MAILVERIFY_CMAKE_DIR})
# 0.x: a new minor version may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/mailverifyConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/mailverifyConfig.cmake
              ${PROJECT_BINARY_DIR}/mailverifyConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FindMbedTLS.cmake
        DESTINATION ${MAILVERIFY_CMAKE_DIR} COMPONENT dev)

# mailverify.pc, relocatable: its prefix is found from where the file lies.
set(MV_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH MV_PC_TO_PREFIX /prefix/${MV_PC_DIR} /prefix)
string(REGEX REPLACE "/$" "" MV_PC_TO_PREFIX "${MV_PC_TO_PREFIX}")
configure_file(${PROJECT_SOURCE_DIR}/cmake/mailverify.pc.in ${PROJECT_BINARY_DIR}/mailverify.pc
               @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/mailverify.pc DESTINATION ${MV_PC_DIR} COMPONENT dev)

# Headers: the facade (include/mailverify/) and every header of the four layers, which include
# each other by layer ("engine/run.hpp"); installed, those includes read "mailverify/engine/..."
# so that a program needs only include/ on its path and no generic engine/ or tls/ name leaks.
file(GLOB_RECURSE MV_INSTALL_HEADERS RELATIVE ${PROJECT_SOURCE_DIR} CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/core/*.hpp ${PROJECT_SOURCE_DIR}/protocols/*.hpp ${PROJECT_SOURCE_DIR}/tls/*.hpp
     ${PROJECT_SOURCE_DIR}/engine/*.hpp)
file(GLOB MV_FACADE_HEADERS RELATIVE ${PROJECT_SOURCE_DIR}/include/mailverify CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/include/mailverify/*.hpp)
install(CODE "
  set(MV_SRC \"${PROJECT_SOURCE_DIR}\")
  set(MV_INCLUDEDIR \"${CMAKE_INSTALL_INCLUDEDIR}\")
  set(MV_LAYER_HEADERS \"${MV_INSTALL_HEADERS}\")
  set(MV_FACADE_HEADERS \"${MV_FACADE_HEADERS}\")
  include(\"${PROJECT_SOURCE_DIR}/cmake/InstallHeaders.cmake\")
" COMPONENT dev)
