# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Sourced, not run: scripts/lib/mailstack-up.sh gives the scripts that need the private Postfix +
# Dovecot of tests/mailstack one way to bring it up.
#
# mailstack_up: starts the stack unless it already runs (the output of `mailstack.sh start` is
# left in MAILSTACK_UP_OUTPUT; on failure it goes to stderr and the script exits 1) and, if it was
# started here, stops it again when the script exits (an EXIT trap). mailstack.sh itself reads
# MAILSTACK_DIR, MAILSTACK_PORT_BASE and the other MAILSTACK_* settings.
MAILSTACK_UP_STACK=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../tests/mailstack" && pwd)/mailstack.sh

mailstack_up() {
  MAILSTACK_UP_OUTPUT=$("$MAILSTACK_UP_STACK" start) || { echo "$MAILSTACK_UP_OUTPUT" >&2; exit 1; }
  case "$MAILSTACK_UP_OUTPUT" in *"already running"*) return 0 ;; esac
  trap '"$MAILSTACK_UP_STACK" stop >/dev/null 2>&1 || true' EXIT
}
