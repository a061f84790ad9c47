// SPDX-License-Identifier: Apache-2.0
/* Additions to mbedTLS 3.6's upstream configuration for the tool (cmake/MbedTLSFromSource.cmake
 * passes this file as MBEDTLS_USER_CONFIG_FILE; upstream's default already enables TLS 1.3 and
 * 1.2, session tickets and PSA crypto).
 *
 * Threading: PSA crypto keeps its key slots and random generator in global state, which TLS 1.3
 * uses for every handshake. The tool drives all sessions from one thread, but the unit tests run
 * scripted TLS servers in threads beside it, so the global state needs mbedTLS's own locks. */
#define MBEDTLS_THREADING_C
#define MBEDTLS_THREADING_PTHREAD
