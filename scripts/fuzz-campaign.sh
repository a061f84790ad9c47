#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fuzz campaign: builds the libFuzzer targets with clang (-DMAILVERIFY_FUZZ=ON) into build-fuzz,
# runs each for a budget with its dictionary and a copy of its seed corpus (the repository is never
# written), and prints per target: executions, final coverage (libFuzzer "cov:"), corpus growth and
# findings (crash/leak/timeout files, copied to $WORK/findings/<target>/).
#
#   scripts/fuzz-campaign.sh [SECONDS] [TARGET...]     (default: $FUZZ_SECONDS or 60, all targets)
#   FUZZ_COVERAGE=1 scripts/fuzz-campaign.sh 60         also llvm-cov line coverage of protocols/
#   FUZZ_WORK=/tmp/x  (default build-fuzz/campaign)     FUZZ_JOBS=2 (build parallelism)
#   FUZZ_RUNS=20000 scripts/fuzz-campaign.sh            deterministic smoke run (CI)
#
# Exit status: 0 when no target found anything, 1 otherwise. CI: run nightly with 60 s per target
# (~11 min on 2 cores, build included); the corpus replays run in every ctest (label "fuzz").
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SECONDS_PER_TARGET="${1:-${FUZZ_SECONDS:-60}}"
shift || true
BUILD="$ROOT/build-fuzz"
WORK="${FUZZ_WORK:-$BUILD/campaign}"
JOBS="${FUZZ_JOBS:-2}"
CXX_BIN="${CXX:-$(command -v clang++-14 || command -v clang++)}"
ALL_TARGETS=(fuzz_smtp_reply fuzz_imap_framer fuzz_imap_response fuzz_pop3_reply fuzz_dot_stuffing
  fuzz_sasl fuzz_message_scanner fuzz_smtp_session fuzz_imap_session fuzz_pop3_session
  fuzz_http_response fuzz_json fuzz_oauth2_form fuzz_dns_message)
if [ "$#" -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

dict_for() {
  case "$1" in
    fuzz_smtp_*) echo "$ROOT/fuzz/dict/smtp.dict" ;;
    fuzz_imap_*) echo "$ROOT/fuzz/dict/imap.dict" ;;
    fuzz_pop3_* | fuzz_dot_stuffing | fuzz_message_scanner) echo "$ROOT/fuzz/dict/pop3.dict" ;;
    fuzz_http_response | fuzz_json | fuzz_oauth2_form) echo "$ROOT/fuzz/dict/http.dict" ;;
    *) echo "" ;;
  esac
}

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_CXX_COMPILER="$CXX_BIN" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMAILVERIFY_FUZZ=ON -DMAILVERIFY_TESTS=OFF -DMAILVERIFY_WERROR=ON >/dev/null
cmake --build "$BUILD" -j"$JOBS" --target "${TARGETS[@]}" >/dev/null

rm -rf "$WORK"
mkdir -p "$WORK"
status=0
printf '%-22s %10s %8s %8s %8s %s\n' target execs cov ft corpus findings
for t in "${TARGETS[@]}"; do
  dir="$WORK/$t"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp "$ROOT/fuzz/corpus/$t/"* "$dir/corpus/"
  # A -fork run merges what its jobs found into the first corpus directory given.
  seeds=$(ls "$dir/corpus" | wc -l)
  dict="$(dict_for "$t")"
  # Fork mode with -ignore_crashes: a finding is saved and the campaign goes on, so one known bug
  # does not end a target's run in its first second.
  args=(-max_total_time="$SECONDS_PER_TARGET" -max_len=4096 -timeout=10 -rss_limit_mb=2048
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1
    -artifact_prefix="$dir/artifacts/")
  # FUZZ_RUNS=N: a deterministic smoke run instead (one process, fixed seed, N inputs), as in CI:
  # the same binary and corpus always take the same path, so a CI failure is a reproducible one.
  if [ -n "${FUZZ_RUNS:-}" ]; then
    args=(-runs="$FUZZ_RUNS" -seed=1 -max_len=4096 -timeout=10 -rss_limit_mb=2048
      -artifact_prefix="$dir/artifacts/")
  fi
  [ -n "$dict" ] && args+=(-dict="$dict")
  # libFuzzer exits non-zero on a finding; the log tells which.
  "$BUILD/fuzz/$t" "${args[@]}" "$dir/corpus" >"$dir/log" 2>&1 || true
  last=$(grep -E '^#[0-9]+' "$dir/log" | tail -1 || true)
  execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  found=$(ls "$dir/artifacts" | wc -l)
  if [ "$found" -gt 0 ]; then
    status=1
    mkdir -p "$WORK/findings/$t"
    cp "$dir/artifacts/"* "$WORK/findings/$t/"
    findings="$found (distinct causes below)"
  else
    findings="none"
  fi
  printf '%-22s %10s %8s %8s %8s %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" \
    "$seeds->$(ls "$dir/corpus" | wc -l)" "$findings"
  if [ "$found" -gt 0 ]; then
    # Fork mode keeps no crash log: replay each finding once and group them by cause.
    for a in "$dir/artifacts/"*; do
      out=$("$BUILD/fuzz/$t" "$a" 2>&1 || true)
      cause=$(grep -m1 -oE 'fuzz invariant failed: .*|ERROR: AddressSanitizer: [^(]*|runtime error: .*|ERROR: libFuzzer: [a-z-]+' <<<"$out" || true)
      echo "${cause:-did not reproduce}"
    done | sort | uniq -c | sed 's/^/    /'
  fi
done
echo "logs, grown corpora and findings: $WORK"

if [ "${FUZZ_COVERAGE:-0}" = 1 ]; then
  # Source-based line coverage of protocols/ from replaying the grown corpora.
  COV="$ROOT/build-fuzz-cov"
  cmake -S "$ROOT" -B "$COV" -DCMAKE_CXX_COMPILER="$CXX_BIN" -DMAILVERIFY_FUZZ=ON \
    -DMAILVERIFY_FUZZ_COVERAGE=ON -DMAILVERIFY_TESTS=OFF >/dev/null
  cmake --build "$COV" -j"$JOBS" --target "${TARGETS[@]}" >/dev/null
  rm -f "$COV"/*.profraw
  objects=()
  for t in "${TARGETS[@]}"; do
    LLVM_PROFILE_FILE="$COV/$t.profraw" "$COV/fuzz/$t" -runs=0 "$WORK/$t/corpus" >/dev/null 2>&1 || true
    objects+=(-object "$COV/fuzz/$t")
  done
  PROFDATA="$(command -v llvm-profdata-14 || command -v llvm-profdata)"
  LLVMCOV="$(command -v llvm-cov-14 || command -v llvm-cov)"
  "$PROFDATA" merge -sparse "$COV"/*.profraw -o "$COV/all.profdata"
  "$LLVMCOV" report -instr-profile="$COV/all.profdata" "${objects[@]:1}" \
    "$ROOT/protocols" | tail -n 25
fi
exit "$status"
