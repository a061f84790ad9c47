#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fuzz campaign: builds the libFuzzer targets with clang (-DMAILVERIFY_FUZZ=ON) into build-fuzz,
# runs each with its dictionary and a copy of its seed corpus (the repository is never written),
# FUZZ_PARALLEL targets side by side, and prints per target: executions, exec/s (wall clock, while
# sharing the machine with the other targets), final coverage (libFuzzer "cov:"), corpus growth,
# findings (crash/leak/timeout files, copied to $WORK/findings/<target>/) and how long
# FUZZ_ESTIMATE_RUNS executions of it would take at the measured speed.
#
#   scripts/fuzz-campaign.sh [SECONDS] [TARGET...]   (default: $FUZZ_SECONDS or 60 s, all targets)
#   FUZZ_RUNS=N scripts/fuzz-campaign.sh [TARGET...] exactly N executions per target (one process,
#                                                    fixed seed): CI's smoke run (N=100000) and
#                                                    the long campaign (N=10000000)
#   FUZZ_COVERAGE=1        also llvm-cov line coverage of protocols/ and core/ from the grown
#                          corpora (every file of both libraries counts, linked by a target or not)
#   FUZZ_COVERAGE_MIN=90   with FUZZ_COVERAGE=1: exit 1 when protocols/ is below that percentage
#   FUZZ_PARALLEL=P        targets run side by side (default: the number of cores)
#   FUZZ_WORK=/tmp/x       (default build-fuzz/campaign)   FUZZ_JOBS=2 (build parallelism)
#   FUZZ_ESTIMATE_RUNS=N   the estimate's executions per target (default 10000000)
#   FUZZ_SANITIZERS=undefined  fuzz without ASan (about 1.6 times the executions per second; the
#                          long campaign's choice on two cores), then replay every grown corpus
#                          under ASan + UBSan: an input kept must pass both. Default address,undefined
#   FUZZ_TIMEOUT=S         libFuzzer's -timeout per input (default 10)
#   FUZZ_RESUME=1          with FUZZ_RUNS=N: go on with the campaign in FUZZ_WORK instead of starting
#                          over: each target runs on its grown corpus until the executions of all
#                          its segments (log, log.2, ...; a segment that was stopped counts up to
#                          its last status line) reach N. The long campaign takes ~5 core-hours:
#                          on two cores it spans sessions
#
# Exit status: 0 when no target found anything, 1 otherwise. CI runs FUZZ_RUNS=100000; the corpus
# replays run in every ctest (label "fuzz").
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-60}"
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then
  SECONDS_PER_TARGET="$1"
  shift
fi
SANITIZERS="${FUZZ_SANITIZERS:-address,undefined}"
BUILD="$ROOT/build-fuzz"
[ "$SANITIZERS" = "address,undefined" ] || BUILD="$ROOT/build-fuzz-${SANITIZERS//,/-}"
TIMEOUT="${FUZZ_TIMEOUT:-10}"
WORK="${FUZZ_WORK:-$BUILD/campaign}"
JOBS="${FUZZ_JOBS:-2}"
PARALLEL="${FUZZ_PARALLEL:-$(nproc)}"
ESTIMATE_RUNS="${FUZZ_ESTIMATE_RUNS:-10000000}"
CXX_BIN="${CXX:-$(command -v clang++-14 || command -v clang++)}"
# The targets are the ones fuzz/CMakeLists.txt defines (one list, no drift).
mapfile -t ALL_TARGETS < <(sed -n '/^set(MV_FUZZ_TARGETS/,/)/p' "$ROOT/fuzz/CMakeLists.txt" |
  grep -o 'fuzz_[a-z0-9_]*')
if [ "$#" -gt 0 ]; then TARGETS=("$@"); else TARGETS=("${ALL_TARGETS[@]}"); fi

dict_for() {
  case "$1" in
    fuzz_smtp_*) echo "$ROOT/fuzz/dict/smtp.dict" ;;
    fuzz_imap_*) echo "$ROOT/fuzz/dict/imap.dict" ;;
    fuzz_pop3_* | fuzz_dot_stuffing | fuzz_message_scanner) echo "$ROOT/fuzz/dict/pop3.dict" ;;
    fuzz_http_* | fuzz_json | fuzz_oauth2_form) echo "$ROOT/fuzz/dict/http.dict" ;;
    fuzz_xml) echo "$ROOT/fuzz/dict/xml.dict" ;;
    *) echo "" ;;
  esac
}

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_CXX_COMPILER="$CXX_BIN" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMAILVERIFY_FUZZ=ON -DMAILVERIFY_TESTS=OFF -DMAILVERIFY_WERROR=ON \
  -DMAILVERIFY_FUZZ_SANITIZERS="$SANITIZERS" >/dev/null
cmake --build "$BUILD" -j"$JOBS" --target "${TARGETS[@]}" >/dev/null

# Runs one target and writes its result line (and the causes of its findings) to $dir/result.
run_target() {
  local t="$1" dir="$WORK/$1"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp "$ROOT/fuzz/corpus/$t/"* "$dir/corpus/"
  local seeds dict runs="${FUZZ_RUNS:-}" before=0 log="$dir/log" segment=1
  seeds=$(ls "$ROOT/fuzz/corpus/$t" | wc -l)
  if [ "${FUZZ_RESUME:-0}" = 1 ]; then
    # The executions of the earlier segments, each up to its last status line.
    for l in "$dir"/log "$dir"/log.*; do
      [ -f "$l" ] || continue
      segment=$((segment + 1))
      before=$((before + $(grep -E '^#[0-9]+' "$l" | tail -1 | sed -n 's/^#\([0-9]*\).*/\1/p' || echo 0)))
    done
    [ "$segment" -gt 1 ] && log="$dir/log.$segment"
    runs=$((FUZZ_RUNS > before ? FUZZ_RUNS - before : 0))
  fi
  dict="$(dict_for "$t")"
  # Fork mode with -ignore_crashes: a finding is saved and the campaign goes on, so one known bug
  # does not end a target's run in its first second. A -fork run merges what its jobs found into
  # the first corpus directory given.
  local args=(-max_total_time="$SECONDS_PER_TARGET" -max_len=4096 -timeout="$TIMEOUT" -rss_limit_mb=2048
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1
    -artifact_prefix="$dir/artifacts/")
  # FUZZ_RUNS=N: one process, fixed seed, N inputs: the same binary and corpus always take the
  # same path, so a CI failure is a reproducible one; new inputs go into the corpus directory.
  if [ -n "${FUZZ_RUNS:-}" ]; then
    args=(-runs="$runs" -seed="$segment" -max_len=4096 -timeout="$TIMEOUT" -rss_limit_mb=2048
      -artifact_prefix="$dir/artifacts/")
  fi
  [ -n "$dict" ] && args+=(-dict="$dict")
  local start end
  start=$(date +%s.%N)
  # libFuzzer exits non-zero on a finding; the log tells which.
  if [ "$runs" != 0 ]; then
    "$BUILD/fuzz/$t" "${args[@]}" "$dir/corpus" >"$log" 2>&1 || true
  fi
  end=$(date +%s.%N)
  local last execs cov found findings rate estimate
  last=$(grep -E '^#[0-9]+' "$log" 2>/dev/null | tail -1 || true)
  execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  # A slow-unit-* file is libFuzzer noting an input that took over 10 s of wall clock (on a shared
  # machine, mostly time it waited for a core): kept in artifacts/ for a look, not a finding.
  found=$(ls "$dir/artifacts" | grep -vc '^slow-unit-' || true)
  rate=$(awk -v n="${execs:-0}" -v s="$start" -v e="$end" 'BEGIN { printf "%d", n / (e - s) }')
  execs=$((before + ${execs:-0}))
  estimate=$(awk -v r="$rate" -v n="$ESTIMATE_RUNS" 'BEGIN { printf "%.1f", (r > 0 ? n / r / 3600 : -1) }')
  findings="none"
  [ "$found" -gt 0 ] && findings="$found (distinct causes below)"
  printf '%-22s %10s %8s %8s %11s %8s %s\n' "$t" "${execs:-?}" "$rate" "${cov:-?}" \
    "$seeds->$(ls "$dir/corpus" | wc -l)" "$estimate" "$findings" >"$dir/result"
  if [ "$found" -gt 0 ]; then
    mkdir -p "$WORK/findings/$t"
    find "$dir/artifacts" -type f ! -name 'slow-unit-*' -exec cp -t "$WORK/findings/$t/" {} +
    # Fork mode keeps no crash log: replay each finding once and group them by cause.
    for a in "$WORK/findings/$t/"*; do
      out=$("$BUILD/fuzz/$t" "$a" 2>&1 || true)
      cause=$(grep -m1 -oE 'fuzz invariant failed: .*|ERROR: AddressSanitizer: [^(]*|runtime error: .*|ERROR: libFuzzer: [a-z-]+' <<<"$out" || true)
      echo "${cause:-did not reproduce}"
    done | sort | uniq -c | sed 's/^/    /' >>"$dir/result"
  fi
}

[ "${FUZZ_RESUME:-0}" = 1 ] || rm -rf "$WORK"
mkdir -p "$WORK"
if [ -n "${FUZZ_RUNS:-}" ]; then
  echo "${#TARGETS[@]} targets, $FUZZ_RUNS executions each, $PARALLEL side by side"
else
  echo "${#TARGETS[@]} targets, $SECONDS_PER_TARGET s each, $PARALLEL side by side"
fi
campaign_start=$(date +%s)
for t in "${TARGETS[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$PARALLEL" ]; do wait -n || true; done
  run_target "$t" &
done
wait
status=0
printf '%-22s %10s %8s %8s %11s %8s %s\n' target execs exec/s cov corpus \
  "h@$((ESTIMATE_RUNS / 1000000))M" findings
for t in "${TARGETS[@]}"; do
  cat "$WORK/$t/result"
  [ -n "$(ls "$WORK/$t/artifacts" | grep -v '^slow-unit-')" ] && status=1
done
echo "wall clock: $(($(date +%s) - campaign_start)) s; logs, grown corpora and findings: $WORK"
# The estimate: longest-first onto PARALLEL workers, at the speeds measured while sharing.
for t in "${TARGETS[@]}"; do awk '{ print $3 }' "$WORK/$t/result" | head -1; done | sort -rn |
  awk -v p="$PARALLEL" -v n="$ESTIMATE_RUNS" '
    $1 > 0 { t = n / $1; best = 1; for (i = 1; i <= p; ++i) if (w[i] < w[best]) best = i; w[best] += t }
    END { m = 0; for (i = 1; i <= p; ++i) if (w[i] > m) m = w[i];
          printf "estimate: %d executions of every target take %.1f h here, %d side by side\n", n, m / 3600, p }'

if [ "$SANITIZERS" != "address,undefined" ]; then
  # Fuzzed without ASan: every input the campaign kept runs once more under ASan + UBSan.
  ASAN_BUILD="$ROOT/build-fuzz"
  cmake -S "$ROOT" -B "$ASAN_BUILD" -DCMAKE_CXX_COMPILER="$CXX_BIN" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DMAILVERIFY_FUZZ=ON -DMAILVERIFY_TESTS=OFF -DMAILVERIFY_WERROR=ON \
    -DMAILVERIFY_FUZZ_SANITIZERS=address,undefined >/dev/null
  cmake --build "$ASAN_BUILD" -j"$JOBS" --target "${TARGETS[@]}" >/dev/null
  for t in "${TARGETS[@]}"; do
    if "$ASAN_BUILD/fuzz/$t" -runs=0 -timeout="$TIMEOUT" "$WORK/$t/corpus" >"$WORK/$t/asan-replay.log" 2>&1; then
      echo "ASan + UBSan replay of $t's $(ls "$WORK/$t/corpus" | wc -l) inputs: passed"
    else
      echo "ASan + UBSan replay of $t: FAILED (see $WORK/$t/asan-replay.log)"
      status=1
    fi
  done
fi

if [ "${FUZZ_COVERAGE:-0}" = 1 ]; then
  # Source-based line coverage from replaying the grown corpora. The libraries' own objects are
  # given to llvm-cov too, so a file no target links counts (at 0 %) instead of vanishing.
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
  while IFS= read -r o; do objects+=(-object "$o"); done < <(find "$COV/CMakeFiles/mv_protocols.dir" \
    "$COV/CMakeFiles/mv_core.dir" -name '*.o' | sort)
  PROFDATA="$(command -v llvm-profdata-14 || command -v llvm-profdata)"
  LLVMCOV="$(command -v llvm-cov-14 || command -v llvm-cov)"
  "$PROFDATA" merge -sparse "$COV"/*.profraw -o "$COV/all.profdata"
  # Columns 8-10 of llvm-cov's report are lines, missed lines and line coverage.
  "$LLVMCOV" report -instr-profile="$COV/all.profdata" "${objects[@]:1}" 2>/dev/null |
    awk '$1 ~ /(^|\/)(protocols|core)\// && NF >= 10 {
           n = split($1, p, /(^|\/)(protocols|core)\//); dir = ($1 ~ /(^|\/)core\//) ? "core" : "protocols"
           if (seen[dir "/" p[n]]++) next  # a header reached through two spellings of its path
           printf "%-40s %6d %6d %8s\n", dir "/" p[n], $8, $9, $10
           lines[dir] += $8; missed[dir] += $9 }
         END { for (d in lines) printf "%-40s %6d %6d %7.2f%%\n", "TOTAL " d "/", lines[d], missed[d],
                 100 * (lines[d] - missed[d]) / lines[d] }' | sort -k1,1 >"$WORK/coverage.txt"
  printf '%-40s %6s %6s %8s\n' "file (llvm-cov lines)" lines missed cover
  grep -v '^TOTAL' "$WORK/coverage.txt"
  grep '^TOTAL' "$WORK/coverage.txt"
  if [ -n "${FUZZ_COVERAGE_MIN:-}" ]; then
    total=$(awk '$2 == "protocols/" { sub(/%/, "", $5); print $5 }' "$WORK/coverage.txt")
    if awk -v t="$total" -v m="$FUZZ_COVERAGE_MIN" 'BEGIN { exit !(t < m) }'; then
      echo "protocols/ line coverage $total % is below FUZZ_COVERAGE_MIN=$FUZZ_COVERAGE_MIN %"
      status=1
    fi
  fi
fi
exit "$status"
