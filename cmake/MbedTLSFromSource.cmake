# SPDX-License-Identifier: Apache-2.0
# Builds mbedTLS from a source tree (MAILVERIFY_MBEDTLS_SOURCE, e.g. Debian's source package as
# fetched by scripts/fetch-mbedtls-source.sh) with our own configuration header
# (MAILVERIFY_MBEDTLS_CONFIG), for the minimal profile: Debian's libmbed*.a are built with every
# cipher and protocol on, ~560 KiB when linked, because the cipher and ciphersuite tables reference
# all of them and --gc-sections cannot drop what a table references.
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
target_compile_definitions(mv_mbedtls_from_source
                           PUBLIC "MBEDTLS_CONFIG_FILE=\"${MAILVERIFY_MBEDTLS_CONFIG}\"")
# mbedTLS's own code is not ours to keep warning-free under -Werror.
target_compile_options(mv_mbedtls_from_source PRIVATE -w)
foreach(_mv_lib mbedcrypto mbedx509 mbedtls)
  add_library(MbedTLS::${_mv_lib} INTERFACE IMPORTED)
  set_target_properties(MbedTLS::${_mv_lib} PROPERTIES INTERFACE_LINK_LIBRARIES
                                                       mv_mbedtls_from_source)
endforeach()
