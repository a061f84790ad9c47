#!/usr/bin/env bash
# Runs every test: builds, starts the private Postfix + Dovecot of tests/mailstack (stopping it
# again afterwards if this script started it), then ctest (unit and integration).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
scripts/build.sh
stack=tests/mailstack/mailstack.sh
out=$("$stack" start) || { echo "$out" >&2; exit 1; }
echo "$out"
started=1
case "$out" in *"already running"*) started=0 ;; esac
cleanup() { if [ "$started" = 1 ]; then "$stack" stop >/dev/null 2>&1 || true; fi; }
trap cleanup EXIT
ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 600
