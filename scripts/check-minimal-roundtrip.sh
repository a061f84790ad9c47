#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the minimal profile's binary (built by scripts/check-minimal-size.sh) against the private
# Postfix + Dovecot of tests/mailstack, started here unless it already runs: round trips over
# IMAPS and POP3S (and with --auth CRAM-MD5) must pass; certificate verification, a wrong password
# and an OAuth2 token (the stack takes none) must fail with their exit codes, and SIGTERM must stop
# it at once. The binary is static musl with a trimmed mbedTLS, so this is where that build
# proves it still speaks TLS, verifies certificates and resolves names.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BUILD_DIR:-build-minimal}/verify-roundtrip-min
[[ -x $BIN ]] || { echo "check-minimal-roundtrip: $BIN missing (scripts/check-minimal-size.sh)" >&2; exit 1; }

# --version: exactly one line, the project's version as this build's CMake saw it and the TLS
# library built in; no stack needed.
project_version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$(dirname "$BIN")/CMakeCache.txt")
version_out=$("$BIN" --version) || { echo "FAIL --version: exit $?" >&2; exit 1; }
if [[ -n $project_version && $version_out =~ ^"verify-roundtrip-min $project_version ("[Mm]"bed TLS "[0-9]+\.[0-9]+\.[0-9]+")"$ ]]; then
  echo "ok   --version: $version_out"
else
  echo "FAIL --version: wanted 'verify-roundtrip-min ${project_version:-?} (Mbed TLS X.Y.Z)', got '$version_out'" >&2
  exit 1
fi

# shellcheck source=scripts/lib/mailstack-up.sh
source scripts/lib/mailstack-up.sh
mailstack_up
# shellcheck disable=SC1091
source "${MAILSTACK_DIR:-.mailstack}/env"

failures=0
# expect EXIT PATTERN DESCRIPTION -- ARGS...: runs the binary, checks its exit code and output,
# and that neither the password nor the token appears in it.
expect() {
  local want=$1 pattern=$2 what=$3
  shift 4
  local got=0 output
  output=$("$BIN" --email "$MAILSTACK_USER1" --host "$MAILSTACK_TLS_NAME" --timeout 20 "$@" 2>&1) || got=$?
  local secret leaked=""
  for secret in "${MAILVERIFY_PASSWORD:-}" "${MV_MIN_TOKEN:-}"; do
    if [[ -n $secret ]] && grep -qF -- "$secret" <<<"$output"; then leaked=1; fi
  done
  if [[ -n $leaked ]]; then
    echo "FAIL $what: a secret appears in the output" >&2
    failures=$((failures + 1))
  elif [[ $got -eq $want ]] && grep -q -- "$pattern" <<<"$output"; then
    echo "ok   $what (exit $got)"
  else
    echo "FAIL $what: exit $got, wanted $want and output matching '$pattern'; output:" >&2
    sed 's/^/    /' <<<"$output" >&2
    failures=$((failures + 1))
  fi
}

export MAILVERIFY_PASSWORD="$MAILSTACK_PASS1"
expect 0 '^PASS token' "587 STARTTLS + IMAPS, full checks" -- \
  --smtp-port "$MAILSTACK_SMTP_SUBMISSION_PORT" --in-port "$MAILSTACK_IMAPS_PORT" --cafile "$MAILSTACK_CA"
expect 0 '^PASS token' "465 implicit TLS + POP3S" -- \
  --smtp-port "$MAILSTACK_SMTPS_PORT" --smtp-tls implicit --receive pop3 \
  --in-port "$MAILSTACK_POP3S_PORT" --cafile "$MAILSTACK_CA"
expect 4 'tls.unknown_ca' "system CA store: the stack's private CA is not trusted" -- \
  --smtp-port "$MAILSTACK_SMTP_SUBMISSION_PORT" --in-port "$MAILSTACK_IMAPS_PORT"
expect 0 'mechanism CRAM-MD5' "--auth CRAM-MD5 on both sessions" -- \
  --smtp-port "$MAILSTACK_SMTP_SUBMISSION_PORT" --in-port "$MAILSTACK_IMAPS_PORT" --cafile "$MAILSTACK_CA" \
  --auth CRAM-MD5 --check none
# The stack's Dovecot checks OAuth2 tokens at its local OAuth2 server: a made-up token goes out as
# XOAUTH2 and is refused by the real server, with the token's diagnosis (not the password's).
MV_MIN_TOKEN=not-a-real-token expect 5 'the OAuth2 token was refused' "an OAuth2 token (XOAUTH2)" -- \
  --smtp-port "$MAILSTACK_SMTP_SUBMISSION_PORT" --in-port "$MAILSTACK_IMAPS_PORT" --cafile "$MAILSTACK_CA" \
  --oauth2-token-env MV_MIN_TOKEN
MAILVERIFY_PASSWORD="not-$MAILSTACK_PASS1" expect 5 'refused the user name or password' "wrong password" -- \
  --smtp-port "$MAILSTACK_SMTP_SUBMISSION_PORT" --in-port "$MAILSTACK_IMAPS_PORT" --cafile "$MAILSTACK_CA"

# SIGTERM (an appliance's supervisor) while a reply is due ends the run at once: exit 130, and it
# says so. The SMTP side waits for a greeting from the IMAPS port, which says nothing to a
# plaintext client, so without the signal this run would last the 20 s timeout.
out=$(mktemp)
"$BIN" --email "$MAILSTACK_USER1" --host "$MAILSTACK_TLS_NAME" --timeout 20 --cafile "$MAILSTACK_CA" \
  --smtp-port "$MAILSTACK_IMAPS_PORT" --in-port "$MAILSTACK_IMAPS_PORT" >"$out" 2>&1 &
pid=$!
sleep 0.5
kill -TERM "$pid"  # the child started just above
signalled=$(date +%s%N)
got=0
wait "$pid" || got=$?
took_ms=$((($(date +%s%N) - signalled) / 1000000))
if [[ $got -eq 130 ]] && ((took_ms < 3000)) && grep -q 'interrupted by SIGTERM' "$out"; then
  echo "ok   SIGTERM while waiting: stopped in $took_ms ms (exit 130)"
else
  echo "FAIL SIGTERM while waiting: exit $got after $took_ms ms; output:" >&2
  sed 's/^/    /' "$out" >&2
  failures=$((failures + 1))
fi
rm -f "$out"

if ((failures)); then
  echo "check-minimal-roundtrip: $failures check(s) failed" >&2
  exit 1
fi
echo "check-minimal-roundtrip: OK"
