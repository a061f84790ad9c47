#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the minimal profile into ${BUILD_DIR:-build-minimal} and fails when the stripped
# verify-roundtrip-min exceeds its size budget.
#
# The profile (-DMAILVERIFY_MINIMAL=ON): the engine and tools/minimal only, -Os, no exceptions or
# RTTI, sections garbage-collected, static, stripped; linked against musl
# (cmake/musl-toolchain.cmake: static glibc alone is ~950 KiB) and mbedTLS 3.6 built from Debian
# 13's source package with the profile's own configuration (tools/minimal/mbedtls_config.h: a
# full configuration costs several hundred KiB more).
#
# Budget: the issue's target is 600 KB (600,000 bytes). The budget is tighter, the measured size
# (509,384 bytes, 2026-12-07, on mbedTLS 3.6 with TLS 1.3; 448,040 on 2.28 with TLS 1.2 only:
# the +61 KB are TLS 1.3's handshake and key schedule, the PSA crypto core it runs on, HKDF and
# RSA-PSS, which TLS 1.3 requires for RSA certificates) + 5 %, so growth is noticed long before
# the target is at risk. Re-based after the session-4 merge at 558,664 bytes (+49 KB in the
# engine the driver links: the typed error kinds with a cause and fix for each, the provider
# knowledge table, server signals, IDNA, host literals and the iPAddress SAN check) + 5 %:
# 586,600, still under the target. The file grows in
# 4 KiB steps (segment alignment): compare `size` text figures for small changes.
# Override with MINIMAL_SIZE_BUDGET=bytes; MAILVERIFY_MBEDTLS_SOURCE=DIR uses another mbedTLS
# tree; extra arguments go to cmake (e.g. -DMAILVERIFY_WITH_POP3=OFF).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-minimal}
BUDGET=${MINIMAL_SIZE_BUDGET:-586600}
MBEDTLS_SOURCE=${MAILVERIFY_MBEDTLS_SOURCE:-$(scripts/fetch-mbedtls-source.sh)}

# A build directory configured with another tool chain cannot be switched over: start afresh.
if [[ -f $BUILD_DIR/CMakeCache.txt ]] && ! grep -q 'musl-toolchain.cmake' "$BUILD_DIR/CMakeCache.txt"; then
  rm -rf "$BUILD_DIR"
fi
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=MinSizeRel -DMAILVERIFY_MINIMAL=ON \
  -DMAILVERIFY_WERROR=ON -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/musl-toolchain.cmake" \
  -DMAILVERIFY_MBEDTLS_SOURCE="$MBEDTLS_SOURCE" "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"${JOBS:-2}" >/dev/null
BIN="$BUILD_DIR/verify-roundtrip-min"
[[ -x "$BIN" ]] || { echo "check-minimal-size: $BIN was not built" >&2; exit 1; }

# The link already strips (-s); strip a copy again to be sure the figure is the stripped one.
STRIPPED=$(mktemp)
trap 'rm -f "$STRIPPED"' EXIT
strip -o "$STRIPPED" "$BIN"
SIZE=$(stat -c %s "$STRIPPED")
if readelf -l "$BIN" | grep -q INTERP; then
  echo "check-minimal-size: FAIL: $BIN is not statically linked" >&2
  exit 1
fi
awk -v s="$SIZE" -v b="$BUDGET" 'BEGIN { printf "verify-roundtrip-min: %d bytes stripped (%.1f KiB), budget %d bytes (%.1f KiB)\n", s, s / 1024, b, b / 1024 }'
if ((SIZE > BUDGET)); then
  echo "check-minimal-size: FAIL: over budget by $((SIZE - BUDGET)) bytes" >&2
  exit 1
fi
echo "check-minimal-size: OK"
