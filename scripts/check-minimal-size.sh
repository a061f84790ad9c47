#!/usr/bin/env bash
# Builds the minimal profile (-DMAILVERIFY_MINIMAL=ON: -Os, no exceptions/RTTI, static, sections
# garbage-collected, stripped) into ${BUILD_DIR:-build-minimal} and fails when the stripped
# verify-roundtrip-min exceeds the budget.
#
# Budget: the issue asked for 600 KB. With Debian 12's stock archives that cannot be met: the
# static glibc alone (getaddrinfo pulls in NSS, dlopen, locale and iconv code) is ~950 KiB and
# Debian's full-configuration mbedTLS 2.28 ~560 KiB (ssl_ciphersuites.c references every cipher);
# our own code is ~190 KiB. The budget is the measured size (1,822,680 bytes, 2026-11-22) + 5 %.
# Override with MINIMAL_SIZE_BUDGET=bytes; extra arguments go to cmake (e.g.
# -DMAILVERIFY_WITH_POP3=OFF).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-minimal}
BUDGET=${MINIMAL_SIZE_BUDGET:-1913800}

cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=MinSizeRel -DMAILVERIFY_MINIMAL=ON \
  -DMAILVERIFY_WERROR=ON "$@" >/dev/null
# The static getaddrinfo warning from glibc is expected (it needs the same glibc at run time).
cmake --build "$BUILD_DIR" -j"${JOBS:-2}" 2>&1 | grep -v "statically linked applications\|in function" || true
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
