# SPDX-License-Identifier: Apache-2.0
# Finds mbedTLS 2.x where no CMake package exists (Debian 12 ships 2.28 without one).
# Defines the imported targets MbedTLS::mbedtls, MbedTLS::mbedx509 and MbedTLS::mbedcrypto,
# the same names mbedTLS 3.x exports from its own package.
find_path(MbedTLS_INCLUDE_DIR mbedtls/ssl.h)
# MV_MBEDTLS_STATIC prefers the archives (libmbedtls.a ...) that Debian ships beside the .so. The
# cache variables differ between the two kinds, so switching the option in an existing build
# directory finds the other kind instead of keeping what an earlier configuration cached.
set(_mv_kind SHARED)
if(MV_MBEDTLS_STATIC)
  set(_mv_mbedtls_prefix lib)
  set(_mv_mbedtls_suffix .a)
  set(_mv_kind STATIC)
endif()
find_library(MbedTLS_TLS_LIBRARY_${_mv_kind}
             NAMES ${_mv_mbedtls_prefix}mbedtls${_mv_mbedtls_suffix} mbedtls)
find_library(MbedTLS_X509_LIBRARY_${_mv_kind}
             NAMES ${_mv_mbedtls_prefix}mbedx509${_mv_mbedtls_suffix} mbedx509)
find_library(MbedTLS_CRYPTO_LIBRARY_${_mv_kind}
             NAMES ${_mv_mbedtls_prefix}mbedcrypto${_mv_mbedtls_suffix} mbedcrypto)
set(MbedTLS_TLS_LIBRARY ${MbedTLS_TLS_LIBRARY_${_mv_kind}})
set(MbedTLS_X509_LIBRARY ${MbedTLS_X509_LIBRARY_${_mv_kind}})
set(MbedTLS_CRYPTO_LIBRARY ${MbedTLS_CRYPTO_LIBRARY_${_mv_kind}})

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(MbedTLS REQUIRED_VARS MbedTLS_INCLUDE_DIR MbedTLS_TLS_LIBRARY
                                  MbedTLS_X509_LIBRARY MbedTLS_CRYPTO_LIBRARY)

if(MbedTLS_FOUND AND NOT TARGET MbedTLS::mbedcrypto)
  add_library(MbedTLS::mbedcrypto UNKNOWN IMPORTED)
  set_target_properties(MbedTLS::mbedcrypto PROPERTIES IMPORTED_LOCATION "${MbedTLS_CRYPTO_LIBRARY}"
                        INTERFACE_INCLUDE_DIRECTORIES "${MbedTLS_INCLUDE_DIR}")
  add_library(MbedTLS::mbedx509 UNKNOWN IMPORTED)
  set_target_properties(MbedTLS::mbedx509 PROPERTIES IMPORTED_LOCATION "${MbedTLS_X509_LIBRARY}"
                        INTERFACE_LINK_LIBRARIES MbedTLS::mbedcrypto)
  add_library(MbedTLS::mbedtls UNKNOWN IMPORTED)
  set_target_properties(MbedTLS::mbedtls PROPERTIES IMPORTED_LOCATION "${MbedTLS_TLS_LIBRARY}"
                        INTERFACE_LINK_LIBRARIES MbedTLS::mbedx509)
endif()
mark_as_advanced(MbedTLS_INCLUDE_DIR MbedTLS_TLS_LIBRARY_${_mv_kind} MbedTLS_X509_LIBRARY_${_mv_kind}
                 MbedTLS_CRYPTO_LIBRARY_${_mv_kind})
