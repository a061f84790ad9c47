#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every test: builds, starts the private Postfix + Dovecot of tests/mailstack (stopping it
# again afterwards if this script started it), then ctest (unit and integration).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
scripts/build.sh
# shellcheck source=scripts/lib/mailstack-up.sh
source scripts/lib/mailstack-up.sh
mailstack_up
echo "$MAILSTACK_UP_OUTPUT"
ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 600
