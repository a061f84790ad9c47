#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The monitoring set-ups of the README, checked with those projects' own tools against the private
# Postfix + Dovecot of tests/mailstack (started here unless it already runs):
#   Prometheus  --prometheus files (one account, --accounts) pass `promtool check metrics`;
#   Icinga 2    contrib/icinga2/mailverify.conf with a host pointed at the stack passes
#               `icinga2 daemon -C`, and the command line it describes passes as a plugin;
#   systemd     contrib/systemd/mailverify@.service and .timer pass `systemd-analyze verify`
#               (no systemd as PID 1 needed; the unit's ExecStart is pointed at this build);
#   Nagios      the README's check line gives a plugin line and exit 0.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
BIN=$(pwd)/$BUILD_DIR/verify-roundtrip
[[ -x $BIN ]] || { echo "check-monitoring: $BIN missing (scripts/build.sh)" >&2; exit 1; }
for tool in promtool icinga2 systemd-analyze; do
  command -v "$tool" >/dev/null || { echo "check-monitoring: $tool missing (scripts/setup.sh)" >&2; exit 1; }
done

# shellcheck source=scripts/lib/mailstack-up.sh
source scripts/lib/mailstack-up.sh
mailstack_up
# shellcheck disable=SC1091
source "${MAILSTACK_DIR:-.mailstack}/env"

work=$(mktemp -d /tmp/mv-monitoring-XXXXXX)
started_here=1
case "$MAILSTACK_UP_OUTPUT" in *"already running"*) started_here=0 ;; esac
cleanup() {
  rm -rf "$work"
  if ((started_here)); then "$MAILSTACK_UP_STACK" stop >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

failures=0
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*" >&2; failures=$((failures + 1)); }

server=(--host "$MAILSTACK_TLS_NAME" --smtp-port "$MAILSTACK_SMTP_SUBMISSION_PORT"
  --imap-port "$MAILSTACK_IMAPS_PORT" --cafile "$MAILSTACK_CA" --check none)
printf '%s\n' "$MAILSTACK_PASS1" >"$work/alice.secret"
printf '%s\n' "$MAILSTACK_PASS2" >"$work/bob.secret"

# --- Nagios: the README's line, exit 0 and a plugin line with perfdata.
out=$("$BIN" --nagios --email "$MAILSTACK_USER1" "${server[@]}" --password-file "$work/alice.secret" \
  -w 10 -c 30 -t 50) && rc=0 || rc=$?
if [[ $rc -eq 0 && $out =~ ^"MAILVERIFY OK - ".*" | ".*"total="[0-9.]+"s;10;30;0" ]]; then
  ok "nagios: ${out%% |*}"
else
  fail "nagios: exit $rc: $out"
fi

# --- Prometheus: one account, then two with names; promtool checks each file.
prom=$work/textfile/mailverify.prom
mkdir -p "$work/textfile"
"$BIN" --email "$MAILSTACK_USER1" "${server[@]}" --password-file "$work/alice.secret" \
  --prometheus "$prom" >/dev/null || fail "prometheus: the run failed (exit $?)"
if lint=$(promtool check metrics <"$prom" 2>&1) && grep -q '^mailverify_probe_success{account="alice@mailverify.test"} 1$' "$prom"; then
  ok "prometheus: one account, promtool check metrics clean ($(grep -vc '^#' "$prom") samples)"
else
  fail "prometheus: one account: $lint"; cat "$prom" >&2
fi
cat >"$work/accounts" <<ACCOUNTS
alice: --email $MAILSTACK_USER1 --password-file '$work/alice.secret'
"bob's box": --email $MAILSTACK_USER2 --password-file $work/bob.secret
wrong: --email $MAILSTACK_USER1 --password-env MV_NOT_A_PASSWORD
ACCOUNTS
MV_NOT_A_PASSWORD=not-the-password "$BIN" "${server[@]}" --accounts "$work/accounts" --prometheus "$prom" >/dev/null 2>&1 && rc=0 || rc=$?
if [[ $rc -eq 5 ]] && lint=$(promtool check metrics <"$prom" 2>&1) &&
  grep -q '^mailverify_probe_success{account="bob'"'"'s box"} 1$' "$prom" &&
  grep -q '^mailverify_probe_error{account="wrong",category="auth",code="[a-z._]*"} 1$' "$prom" &&
  [[ -z $(find "$work/textfile" -name '.*') ]]; then
  ok "prometheus: --accounts, one series per account, promtool clean, no temporary file left"
else
  fail "prometheus: --accounts: exit $rc (wanted 5): $lint"; cat "$prom" >&2
fi

# --- Icinga 2: the CheckCommand and apply rule, with a host pointed at the stack.
mkdir -p "$work/icinga/cache" "$work/icinga/lib" "$work/icinga/log" "$work/icinga/run"
cat >"$work/icinga/icinga2.conf" <<ICINGA
include <itl>
template Host "generic-host" { check_command = "dummy" }
template Service "generic-service" { max_check_attempts = 3 }
object Host "mailstack" {
  import "generic-host"
  address = "$MAILSTACK_HOST"
  vars.mailverify_email = "$MAILSTACK_USER1"
  vars.mailverify_host = "$MAILSTACK_TLS_NAME"
  vars.mailverify_smtp_port = $MAILSTACK_SMTP_SUBMISSION_PORT
  vars.mailverify_imap_port = $MAILSTACK_IMAPS_PORT
  vars.mailverify_password_file = "$work/alice.secret"
  vars.mailverify_cafile = "$MAILSTACK_CA"
}
include "$(pwd)/contrib/icinga2/mailverify.conf"
ICINGA
if out=$(icinga2 daemon -C -c "$work/icinga/icinga2.conf" -DRunAsUser="$(id -un)" \
  -DRunAsGroup="$(id -gn)" -DCacheDir="$work/icinga/cache" -DDataDir="$work/icinga/lib" \
  -DLogDir="$work/icinga/log" -DRunDir="$work/icinga/run" -DInitRunDir="$work/icinga/run" 2>&1) &&
  grep -q "Instantiated 1 Service" <<<"$out"; then
  ok "icinga2 daemon -C: CheckCommand \"mailverify\" and service \"mail-roundtrip\" valid"
else
  fail "icinga2 daemon -C: $out"
fi
# The command the CheckCommand builds for that host (its arguments in their order), run as Icinga
# would run it, with this build's binary.
out=$("$BIN" --nagios --email "$MAILSTACK_USER1" -H "$MAILSTACK_TLS_NAME" \
  --smtp-port "$MAILSTACK_SMTP_SUBMISSION_PORT" --imap-port "$MAILSTACK_IMAPS_PORT" \
  --password-file "$work/alice.secret" --cafile "$MAILSTACK_CA" -w 10 -c 30 -t 50 -v) && rc=0 || rc=$?
if [[ $rc -eq 0 && $(head -1 <<<"$out") =~ ^"MAILVERIFY OK - " && $(wc -l <<<"$out") -gt 5 ]]; then
  ok "icinga2: the check command passes with long output ($(wc -l <<<"$out") lines)"
else
  fail "icinga2: the check command: exit $rc: $out"
fi

# --- systemd: the template service and its timer.
mkdir -p "$work/systemd"
sed "s#/usr/local/bin/verify-roundtrip#$BIN#" contrib/systemd/mailverify@.service >"$work/systemd/mailverify@.service"
cp contrib/systemd/mailverify@.timer "$work/systemd/"
if out=$(cd "$work/systemd" && systemd-analyze verify --man=no ./mailverify@.service ./mailverify@.timer 2>&1) && [[ -z $out ]]; then
  ok "systemd-analyze verify: mailverify@.service and mailverify@.timer"
else
  fail "systemd-analyze verify: $out"
fi

if ((failures)); then
  echo "check-monitoring: $failures failed" >&2
  exit 1
fi
echo "check-monitoring: all passed"
