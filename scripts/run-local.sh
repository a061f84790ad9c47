#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job against a real local mail stack: builds verify-roundtrip, starts the private
# Postfix + Dovecot (tests/mailstack) and verifies the account alice@mailverify.test end to end:
# submit on 587 with STARTTLS, read back over IMAPS, read-state sync, folders, cleanup.
# Extra arguments go to verify-roundtrip (e.g. --receive pop3 --pop3-port 10995).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
scripts/build.sh
tests/mailstack/mailstack.sh start
# shellcheck disable=SC1091
source "${MAILSTACK_DIR:-.mailstack}/env"
export MV_PASSWORD="$MAILSTACK_PASS1"
set -x
"$BUILD_DIR/verify-roundtrip" --email "$MAILSTACK_USER1" --host "$MAILSTACK_TLS_NAME" \
  --smtp-port "$MAILSTACK_SMTP_SUBMISSION_PORT" --smtp-tls starttls \
  --imap-port "$MAILSTACK_IMAPS_PORT" --pop3-port "$MAILSTACK_POP3S_PORT" \
  --cafile "$MAILSTACK_CA" --password-env MV_PASSWORD "$@"
