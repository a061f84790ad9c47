#!/usr/bin/env bash
# Runs every test: builds, starts the private Postfix + Dovecot of tests/mailstack (stopping it
# again afterwards if this script started it), then ctest (unit and integration).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
scripts/build.sh
stack=tests/mailstack/mailstack.sh
started=0
if ! "$stack" status >/dev/null 2>&1; then
  "$stack" start
  started=1
fi
cleanup() { [ "$started" = 1 ] && "$stack" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 600
