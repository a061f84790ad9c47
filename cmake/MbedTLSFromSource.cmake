# SPDX-License-Identifier: Apache-2.0
# Builds mbedTLS from a source tree (MAILVERIFY_MBEDTLS_SOURCE, Debian's source package as fetched
# by scripts/fetch-mbedtls-source.sh) as one static library. The configuration: either a header
# replacing upstream's (MAILVERIFY_MBEDTLS_CONFIG; the minimal profile's, because upstream's
# enables every cipher and protocol, and --gc-sections cannot drop what the cipher and
# ciphersuite tables reference), or upstream's plus our additions (tools/mbedtls_user_config.h).
#
# Defines the same targets as FindMbedTLS.cmake (MbedTLS::mbedtls, ::mbedx509, ::mbedcrypto). The
# configuration is a public compile definition: our code must see the same struct layouts.
if(NOT EXISTS "${MAILVERIFY_MBEDTLS_SOURCE}/include/mbedtls/ssl.h")
  message(FATAL_ERROR "MAILVERIFY_MBEDTLS_SOURCE=${MAILVERIFY_MBEDTLS_SOURCE} is not an mbedTLS "
                      "source tree (no include/mbedtls/ssl.h)")
endif()
enable_language(C)
file(GLOB _mv_mbedtls_sources "${MAILVERIFY_MBEDTLS_SOURCE}/library/*.c")
add_library(mv_mbedtls_from_source STATIC ${_mv_mbedtls_sources})
target_include_directories(mv_mbedtls_from_source SYSTEM
                           PUBLIC "${MAILVERIFY_MBEDTLS_SOURCE}/include"
                           PRIVATE "${MAILVERIFY_MBEDTLS_SOURCE}/library")
if(MAILVERIFY_MBEDTLS_CONFIG)
  target_compile_definitions(mv_mbedtls_from_source
                             PUBLIC "MBEDTLS_CONFIG_FILE=\"${MAILVERIFY_MBEDTLS_CONFIG}\"")
else()
  target_compile_definitions(
    mv_mbedtls_from_source
    PUBLIC "MBEDTLS_USER_CONFIG_FILE=\"${CMAKE_CURRENT_SOURCE_DIR}/tools/mbedtls_user_config.h\"")
  find_package(Threads REQUIRED)
  target_link_libraries(mv_mbedtls_from_source PUBLIC Threads::Threads)
endif()
# mbedTLS's own code is not ours to keep warning-free under -Werror.
target_compile_options(mv_mbedtls_from_source PRIVATE -w)
foreach(_mv_lib mbedcrypto mbedx509 mbedtls)
  add_library(MbedTLS::${_mv_lib} INTERFACE IMPORTED)
  set_target_properties(MbedTLS::${_mv_lib} PROPERTIES INTERFACE_LINK_LIBRARIES
                                                       mv_mbedtls_from_source)
endforeach()
