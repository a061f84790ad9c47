#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# "Fast and small": measures verify-roundtrip against the peers on the local Postfix + Dovecot
# stack and prints markdown tables (medians over N runs; ratios = peer / verify-roundtrip, so
# above 1 means we are faster or smaller). Installs nothing; names missing peers and skips them.
# See tests/bench/README.md for what each table measures and how.
#
#   tests/bench/run.sh [-n RUNS] [--only SECTIONS]     SECTIONS: any of rt,turns,rss,size,parse,bin,cpu,over,lat
#   (lat: the latency table at LAT_RTTS="0 20 80" ms RTT through tests/bench/delay_proxy.py, LAT_N runs)
#
# Needs the stack of tests/mailstack (its env file: .mailstack/env, or $MAILSTACK_ENV), cmake and
# g++; peers: swaks, curl, msmtp, python3, valgrind (+ ms_print), strace, GNU time.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SELF="$ROOT/tests/bench/run.sh"
N=15
ONLY="rt,turns,rss,size,parse,bin,cpu,over,lat"
while (($#)); do
  case $1 in
    -n) N=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --peer) PEER=$2; shift 2 ;;  # internal: one round trip of one peer (for strace)
    *) echo "usage: $0 [-n RUNS] [--only rt,turns,rss,size,parse,bin,cpu,over,lat]" >&2; exit 2 ;;
  esac
done
want() { [[ ",$ONLY," == *",$1,"* ]]; }

# shellcheck disable=SC1090
source "${MAILSTACK_ENV:-$ROOT/.mailstack/env}" || { echo "no mail stack env: start tests/mailstack first" >&2; exit 1; }
BUILD=${BENCH_BUILD_DIR:-$ROOT/build-bench}
MINBUILD=${BENCH_MINIMAL_DIR:-$ROOT/build-minimal}
VR="$BUILD/verify-roundtrip"
VRMIN="$MINBUILD/verify-roundtrip-min"
HOST=localhost  # the certificate's name; resolves to 127.0.0.1
SMTP_PORT=$MAILSTACK_SMTP_SUBMISSION_PORT
IMAPS_PORT=$MAILSTACK_IMAPS_PORT
# Peers use their own account so the tool's mailbox stays small (SEARCH cost grows with it).
export BENCH_USER=$MAILSTACK_USER2 BENCH_PASSWORD=$MAILSTACK_PASS2
export MAILVERIFY_PASSWORD=$MAILSTACK_PASS1
TOOL_USER=$MAILSTACK_USER1
CA=$MAILSTACK_CA
PY=/usr/bin/python3 # not a pyenv shim: the shim is a shell script that would add ~20 ms
[[ -x $PY ]] || PY=$(command -v python3 || true)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
NETRC="$TMP/netrc"  # curl reads the password from here, not argv
printf 'machine localhost login %s password %s\n' "$BENCH_USER" "$BENCH_PASSWORD" >"$NETRC"
chmod 600 "$NETRC"

# ---- the contenders: one round trip each --------------------------------------------------------
set_ports() {  # the ports every contender uses: the stack's, or a delaying proxy's in front of them
  SMTP_PORT=$1 IMAPS_PORT=$2
  mv_args=(--email "$TOOL_USER" --host "$HOST" --smtp-port "$SMTP_PORT" --imap-port "$IMAPS_PORT"
    --password-env MAILVERIFY_PASSWORD --cafile "$CA" --no-color)
  min_args=(--email "$TOOL_USER" --host "$HOST" --smtp-port "$SMTP_PORT" --in-port "$IMAPS_PORT"
    --cafile "$CA")
}
set_ports "$SMTP_PORT" "$IMAPS_PORT"
peer_mv_full() { $WRAP "$VR" "${mv_args[@]}" "$@" >"${MV_OUT:-/dev/null}"; }
peer_mv_none() { $WRAP "$VR" "${mv_args[@]}" --check none "$@" >"${MV_OUT:-/dev/null}"; }
peer_mv_min() { $WRAP "$VRMIN" "${min_args[@]}" "$@" >"${MV_OUT:-/dev/null}"; }
peer_python() { $WRAP "$PY" "$ROOT/tests/bench/peer_python.py" "$HOST" "$SMTP_PORT" "$IMAPS_PORT" "$BENCH_USER" "$CA"; }
STACK_SMTP_PORT=$SMTP_PORT STACK_IMAPS_PORT=$IMAPS_PORT

message() {  # $1 token, $2 client name
  printf 'From: <%s>\r\nTo: <%s>\r\nSubject: mvbench %s\r\nMessage-ID: <%s@mvbench>\r\n\r\nmvbench %s peer %s\r\n' \
    "$BENCH_USER" "$BENCH_USER" "$1" "$1" "$2" "$1"
}
curl_imap() { $WRAP curl -sS --cacert "$CA" --netrc-file "$NETRC" "$@"; }
# Waits (at most 10 s between lines) until the file holds a line containing text: tail follows it
# (inotify), this shell reads what it writes; the tail is ended by its pid.
wait_for_line() { # file text
  local line found=1
  coproc TAILER { exec tail -n +1 -F "$1" 2>/dev/null; }
  while IFS= read -r -t 10 line <&"${TAILER[0]}"; do
    [[ $line == *"$2"* ]] && { found=0; break; }
  done
  kill "$TAILER_PID" 2>/dev/null
  wait "$TAILER_PID" 2>/dev/null || true
  return $found
}

# Waits until every session that a log shows starting from line FIRST on has also ended: as many
# END lines as START lines (each logged by the server when it happens; tail follows the file).
wait_for_ends() { # file first-line start-text end-text
  local line starts ends=0
  starts=$(tail -n +"$2" "$1" | grep -cF -- "$3")
  coproc TAILER { exec tail -n +"$2" -F "$1" 2>/dev/null; }
  while ((ends < starts)) && IFS= read -r -t 10 line <&"${TAILER[0]}"; do
    [[ $line == *"$4"* ]] && ends=$((ends + 1))
  done
  kill "$TAILER_PID" 2>/dev/null
  wait "$TAILER_PID" 2>/dev/null || true
  ((ends >= starts))
}

# curl: UID SEARCH every 20 ms (one connection and login each, as curl does), then UID FETCH.
curl_readback() {
  local token=$1 out uid deadline=$((SECONDS + 30))
  while :; do
    out=$(curl_imap "imaps://$HOST:$IMAPS_PORT/INBOX" -X "UID SEARCH HEADER Subject $token") || return 1
    uid=$(tr -d '\r' <<<"$out" | awk '/^\* SEARCH [0-9]/ {print $NF}')
    [[ -n $uid ]] && break
    ((SECONDS > deadline)) && return 1
    sleep 0.02  # the peer's own polling interval, part of what is measured; not a synchronisation
  done
  curl_imap "imaps://$HOST:$IMAPS_PORT/INBOX;UID=$uid" | grep -q "$token"
}
peer_swaks_curl() {
  local t=sw$RANDOM$RANDOM
  $WRAP swaks --silent 2 --server "$HOST" --port "$SMTP_PORT" -tls --tls-verify --tls-ca-path "$CA" \
    --auth PLAIN --auth-user "$BENCH_USER" --auth-password "$BENCH_PASSWORD" --helo localhost \
    --from "$BENCH_USER" --to "$BENCH_USER" --header "Subject: mvbench $t" --body "mvbench swaks $t" \
    >/dev/null || return 1
  curl_readback "$t"
}
peer_msmtp_curl() {
  local t=ms$RANDOM$RANDOM
  message "$t" msmtp | $WRAP msmtp --host="$HOST" --port="$SMTP_PORT" --tls=on --tls-starttls=on \
    --tls-trust-file="$CA" --auth=plain --user="$BENCH_USER" --passwordeval='printenv BENCH_PASSWORD' \
    --domain=localhost -f "$BENCH_USER" "$BENCH_USER" || return 1
  curl_readback "$t"
}
peer_curl_only() {
  local t=cu$RANDOM$RANDOM
  message "$t" curl | $WRAP curl -sS --cacert "$CA" --netrc-file "$NETRC" --ssl-reqd \
    "smtp://$HOST:$SMTP_PORT" --mail-from "$BENCH_USER" --mail-rcpt "$BENCH_USER" --upload-file - || return 1
  curl_readback "$t"
}
purge_peers() { [[ -n $PY ]] && "$PY" "$ROOT/tests/bench/peer_python.py" --purge "$HOST" "$STACK_IMAPS_PORT" "$BENCH_USER" "$CA" >/dev/null 2>&1; }

WRAP=
if [[ -n ${PEER:-} ]]; then "peer_$PEER"; exit; fi

# ---- tools present? ----------------------------------------------------------------------------
declare -A HAVE
missing=()
check() {  # name command package
  if command -v "$2" >/dev/null 2>&1; then HAVE[$1]=1; else missing+=("$1 (apt-get install $3)"); fi
}
check swaks swaks swaks
check curl curl curl
check msmtp msmtp msmtp
check python3 "${PY:-python3}" python3
check valgrind valgrind valgrind
check ms_print ms_print valgrind
check strace strace strace
check time /usr/bin/time time
((${#missing[@]})) && echo "missing, skipped: ${missing[*]}"
[[ -n ${HAVE[time]:-} ]] || { echo "GNU time is required (apt-get install time)"; exit 1; }

# ---- build ------------------------------------------------------------------------------------
echo "building $BUILD (RelWithDebInfo, bench on) and the minimal profile ..." >&2
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMAILVERIFY_BENCH=ON \
  -DMAILVERIFY_TESTS=OFF >/dev/null &&
  cmake --build "$BUILD" -j2 --target verify-roundtrip parser_throughput cpu_of >/dev/null || exit 1
CPU_OF="$BUILD/tests/bench/cpu_of"
MINSIZE_LINE=$(BUILD_DIR="$MINBUILD" "$ROOT/scripts/check-minimal-size.sh" 2>&1 | grep -E '^verify-roundtrip-min:|FAIL')

contenders=(mv_full mv_none mv_min)
[[ -n ${HAVE[swaks]:-} && -n ${HAVE[curl]:-} ]] && contenders+=(swaks_curl)
[[ -n ${HAVE[python3]:-} ]] && contenders+=(python)
[[ -n ${HAVE[msmtp]:-} && -n ${HAVE[curl]:-} ]] && contenders+=(msmtp_curl)
[[ -n ${HAVE[curl]:-} ]] && contenders+=(curl_only)
declare -A LABEL=([mv_full]="verify-roundtrip (full: devices, folders, cleanup)"
  [mv_none]="verify-roundtrip --check none (still cleans up)" [mv_min]="verify-roundtrip-min (minimal, full)"
  [swaks_curl]="swaks + curl (SEARCH every 20 ms)" [python]="Python smtplib + imaplib (peer_python.py)"
  [msmtp_curl]="msmtp + curl (SEARCH every 20 ms)" [curl_only]="curl only (smtp:// + imaps://)")

median() { sort -n | awk '{v[NR]=$1} END {if (NR==0) {print "nan"; exit} if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

echo
echo "# mailverify bench — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), N=$N"

# ---- 1. round trip wall time -------------------------------------------------------------------
declare -A WALL
if want rt; then
  purge_peers
  for c in "${contenders[@]}"; do : >"$TMP/rt.$c"; done
  for ((i = 0; i < N; i++)); do  # round robin, so drift in the stack hits every contender alike
    for c in "${contenders[@]}"; do
      t0=${EPOCHREALTIME/[.,]/}
      if "peer_$c"; then echo $((${EPOCHREALTIME/[.,]/} - t0)) >>"$TMP/rt.$c"; else echo "  ($c run $i failed)" >&2; fi
    done
    ((i % 5 == 4)) && purge_peers
  done
  purge_peers
  echo
  echo "## 1. Round trip: submit on 587 (STARTTLS, verified, AUTH) + read back over IMAPS (wall, ms)"
  echo
  echo "| client | median | min | max | ok runs | × verify-roundtrip --check none |"
  echo "|---|---:|---:|---:|---:|---:|"
  base=$(median <"$TMP/rt.mv_none")
  for c in "${contenders[@]}"; do
    m=$(median <"$TMP/rt.$c")
    WALL[$c]=$m
    read -r lo hi < <(sort -n "$TMP/rt.$c" | awk 'NR==1{lo=$1} {hi=$1} END {print lo/1000, hi/1000}')
    printf '| %s | %.1f | %.1f | %.1f | %d | %s |\n' "${LABEL[$c]}" "$(awk -v m="$m" 'BEGIN{print m/1000}')" \
      "$lo" "$hi" "$(wc -l <"$TMP/rt.$c")" "$(ratio "$m" "$base")"
  done
fi

# ---- 2. turns -----------------------------------------------------------------------------------
# A turn is one client→server flight answered by the server: per TCP connection, every run of
# successful socket writes followed by a read. Counted from `strace -f -yy` (syscalls on TCP
# sockets to the stack's ports), so it is the same rule for every client whatever its TLS library;
# TLS handshake flights count, the arrival polls count (their number depends on delivery time).
turns_of() {  # strace log → "turns connections"
  "$PY" - "$1" "$SMTP_PORT" "$IMAPS_PORT" <<'EOF'
import re, sys
log, ports = sys.argv[1], set(sys.argv[2:])
call = re.compile(r'^(\d+)\s+(read|write|readv|writev|sendto|recvfrom|sendmsg|recvmsg)\((\d+)<TCP[v6]*:\[([^\]]*)\]>')
unfinished, last, turns = {}, {}, {}
for line in open(log, errors="replace"):
    m = call.match(line)
    if m:
        pid, op, fd, conn = m.groups()
        if "unfinished" in line:
            unfinished[pid] = (op, conn)
            continue
    else:
        r = re.match(r'^(\d+)\s+<\.\.\. (\w+) resumed>', line)
        if not r or r.group(1) not in unfinished:
            continue
        op, conn = unfinished.pop(r.group(1))
    res = re.search(r'=\s+(-?\d+)', line.rsplit(")", 1)[-1])
    if not res or int(res.group(1)) <= 0:
        continue
    remote = conn.split("->")[-1].rsplit(":", 1)[-1]
    if remote not in ports:
        continue
    d = "W" if op in ("write", "writev", "sendto", "sendmsg") else "R"
    turns.setdefault(conn, 0)
    if d == "R" and last.get(conn) == "W":
        turns[conn] += 1
    last[conn] = d
print(sum(turns.values()), len(turns))
EOF
}
if want turns && [[ -n ${HAVE[strace]:-} && -n $PY ]]; then
  TR=$((N < 5 ? N : 5))
  echo
  echo "## 2. Client→server turns per round trip (strace, median of $TR runs)"
  echo
  echo "| client | turns | TCP connections | × verify-roundtrip --check none |"
  echo "|---|---:|---:|---:|"
  declare -A TURNS
  for c in "${contenders[@]}"; do
    : >"$TMP/turns.$c"
    for ((i = 0; i < TR; i++)); do
      strace -f -qq -yy -s 0 -e trace=read,write,readv,writev,sendto,recvfrom,sendmsg,recvmsg \
        -o "$TMP/strace.log" "$SELF" --peer "$c" >/dev/null 2>&1 && turns_of "$TMP/strace.log" >>"$TMP/turns.$c"
    done
    TURNS[$c]=$(awk '{print $1}' "$TMP/turns.$c" | median)
  done
  for c in "${contenders[@]}"; do
    conns=$(awk '{print $2}' "$TMP/turns.$c" | median)
    printf '| %s | %s | %s | %s |\n' "${LABEL[$c]}" "${TURNS[$c]}" "$conns" "$(ratio "${TURNS[$c]}" "${TURNS[mv_none]:-0}")"
  done
  purge_peers
fi

# ---- 3. memory ----------------------------------------------------------------------------------
if want rss; then
  RN=$((N < 5 ? N : 5))
  echo
  echo "## 3. Peak RSS per client process (GNU time %M, median of $RN runs; multi-process peers: largest process)"
  echo
  echo "| client | peak RSS MiB | × verify-roundtrip |"
  echo "|---|---:|---:|"
  for c in "${contenders[@]}"; do
    : >"$TMP/rss.$c"
    for ((i = 0; i < RN; i++)); do
      : >"$TMP/rss.run"
      WRAP="/usr/bin/time -a -o $TMP/rss.run -f %M" "peer_$c" >/dev/null 2>&1
      sort -n "$TMP/rss.run" | tail -1 >>"$TMP/rss.$c"
    done
    r=$(median <"$TMP/rss.$c")
    [[ $c == mv_full ]] && RSS_BASE=$r
    printf '| %s | %.1f | %s |\n' "${LABEL[$c]}" "$(awk -v r="$r" 'BEGIN{print r/1024}')" "$(ratio "$r" "$RSS_BASE")"
  done
  purge_peers
  if [[ -n ${HAVE[valgrind]:-} ]]; then
    valgrind --tool=massif --massif-out-file="$TMP/massif.out" "$VR" "${mv_args[@]}" >/dev/null 2>&1
    peak=$(awk -F= '/^mem_heap_B=/{h=$2} /^mem_heap_extra_B=/{if (h+$2 > p) p=h+$2} END {print p}' "$TMP/massif.out")
    echo
    echo "Heap peak of verify-roundtrip (full, --cafile; valgrind massif, heap + allocator overhead): $(awk -v p="$peak" 'BEGIN{printf "%.1f KiB", p/1024}')"
  fi
fi

# ---- 4. message size scaling --------------------------------------------------------------------
if want size; then
  SN=$((N < 5 ? N : 5))
  echo
  echo "## 4. Message size (verify-roundtrip --check none --body-size S; median of $SN runs)"
  echo
  echo "| body size | wall ms | peak RSS MiB |"
  echo "|---|---:|---:|"
  rss_list=()
  for s in 1024 1048576 10485760 52428800; do
    : >"$TMP/sz.t"
    : >"$TMP/sz.r"
    for ((i = 0; i < SN; i++)); do
      t0=${EPOCHREALTIME/[.,]/}
      /usr/bin/time -o "$TMP/sz.one" -f %M "$VR" "${mv_args[@]}" --check none --body-size "$s" \
        --delivery-timeout 120 >/dev/null || echo "  (body $s run $i failed)" >&2
      echo $((${EPOCHREALTIME/[.,]/} - t0)) >>"$TMP/sz.t"
      tail -1 "$TMP/sz.one" >>"$TMP/sz.r"
    done
    t=$(median <"$TMP/sz.t")
    r=$(median <"$TMP/sz.r")
    rss_list+=("$r")
    printf '| %s | %.1f | %.1f |\n' "$(numfmt --to=iec-i "$s")B" "$(awk -v t="$t" 'BEGIN{print t/1000}')" "$(awk -v r="$r" 'BEGIN{print r/1024}')"
  done
  printf '%s\n' "${rss_list[@]}" | sort -n | awk 'NR==1{lo=$1} {hi=$1} END {
    s = (hi - lo) / lo * 100; printf "\nRSS spread 1 KiB → 50 MiB: %.1f %% (%s: flat means within ±10 %%)\n", s, (s <= 10 ? "flat" : "NOT flat") }'
fi

# ---- 5. parser throughput -----------------------------------------------------------------------
if want parse; then
  echo
  echo "## 5. Parser throughput (tests/bench/parser_throughput 64 MiB, 16 KiB feeds)"
  echo
  "$BUILD/tests/bench/parser_throughput" 64 5
fi

# ---- 6. binary sizes ----------------------------------------------------------------------------
# Rule: the file sizes of the binary plus every library ldd resolves for it, minus the C/C++ runtime
# any program has anyway (libc, libm, libstdc++, libgcc_s, ld-linux, libpthread, libdl, librt).
# "main libs" counts only the client's own library and its TLS stack.
if want bin; then
  runtime='/(libc|libm|libstdc\+\+|libgcc_s|ld-linux-x86-64|libpthread|libdl|librt)\.so'
  libs_of() { ldd "$1" 2>/dev/null | awk '/=> \// {print $3}' | grep -Ev "$runtime"; }
  bytes() { [[ $# -gt 0 ]] && stat -L -c %s "$@" | awk '{s+=$1} END {print s+0}' || echo 0; }
  kib() { awk -v b="$1" 'BEGIN{printf "%.0f", b/1024}'; }
  strip -o "$TMP/vr.stripped" "$VR"
  vr_bin=$(bytes "$TMP/vr.stripped")
  mapfile -t vr_libs < <(libs_of "$VR")
  vr_all=$((vr_bin + $(bytes "${vr_libs[@]}")))
  echo
  echo "## 6. Binary sizes (KiB; rule: binary + ldd libraries except libc/libm/libstdc++/libgcc_s/ld.so)"
  echo
  echo "| client | binary | + main libs | + all non-runtime libs | libraries | × verify-roundtrip total |"
  echo "|---|---:|---:|---:|---:|---:|"
  printf '| verify-roundtrip (stripped copy; mbedTLS, libstdc++ static) | %s | %s | %s | %d | 1.00 |\n' "$(kib "$vr_bin")" "$(kib "$vr_all")" "$(kib "$vr_all")" "${#vr_libs[@]}"
  if [[ -x $VRMIN ]]; then
    m=$(bytes "$VRMIN")
    printf '| verify-roundtrip-min (static, stripped) | %s | %s | %s | 0 | %s |\n' "$(kib "$m")" "$(kib "$m")" "$(kib "$m")" "$(ratio "$m" "$vr_all")"
  fi
  peer_size() {  # label binary main-lib-regex
    local bin all main
    bin=$(command -v "$2") || return
    mapfile -t libs < <(libs_of "$bin")
    all=$(($(bytes "$bin") + $(bytes "${libs[@]}")))
    mapfile -t mainl < <(printf '%s\n' "${libs[@]}" | grep -E "$3")
    main=$(($(bytes "$bin") + $(bytes "${mainl[@]}")))
    printf '| %s | %s | %s | %s | %d | %s |\n' "$1" "$(kib "$(bytes "$bin")")" "$(kib "$main")" "$(kib "$all")" "${#libs[@]}" "$(ratio "$all" "$vr_all")"
  }
  [[ -n ${HAVE[curl]:-} ]] && peer_size "curl (libcurl, OpenSSL)" curl '/(libcurl|libssl|libcrypto)\.so'
  [[ -n ${HAVE[msmtp]:-} ]] && peer_size "msmtp (GnuTLS)" msmtp '/(libgnutls|libnettle|libhogweed|libgmp|libtasn1|libp11-kit)\.so'
  echo
  echo "Minimal profile: $MINSIZE_LINE"
fi

# ---- 7. client CPU ------------------------------------------------------------------------------
# user + system CPU of every client process of a run (swaks and each curl poll count; the bench's
# own shell, awk and sleep do not), from wait4() via cpu_of (µs; GNU time's %U %S resolve 10 ms).
if want cpu; then
  purge_peers
  stack_cpu() { "$PY" "$ROOT/tests/bench/stack_cpu.py" "$MAILSTACK_DIR"; }
  for c in "${contenders[@]}"; do : >"$TMP/cpu.$c"; : >"$TMP/scpu.$c"; done
  for ((i = 0; i < N; i++)); do
    for c in "${contenders[@]}"; do
      : >"$TMP/cpu.run"
      s0=$(stack_cpu)
      if WRAP="$CPU_OF $TMP/cpu.run" "peer_$c" >/dev/null 2>&1; then
        awk '{s += $1 + $2} END {print s, NR}' "$TMP/cpu.run" >>"$TMP/cpu.$c"
        echo $(($(stack_cpu) - s0)) >>"$TMP/scpu.$c"
      else echo "  ($c cpu run $i failed)" >&2; fi
    done
    ((i % 5 == 4)) && purge_peers
  done
  purge_peers
  declare -A CPU
  low=
  for c in "${contenders[@]}"; do
    CPU[$c]=$(awk '{print $1}' "$TMP/cpu.$c" | median)
    [[ $c == mv_* ]] && continue
    if [[ -z $low ]] || awk -v a="${CPU[$c]}" -v b="${CPU[$low]}" 'BEGIN{exit !(a < b)}'; then low=$c; fi
  done
  echo
  echo "## 7. Client CPU per round trip (user + sys of every client process, µs via wait4; median of $N runs)"
  echo
  echo "| client | CPU ms | processes | × lowest peer (${LABEL[$low]:-none}) | server CPU ms (mean) |"
  echo "|---|---:|---:|---:|---:|"
  for c in "${contenders[@]}"; do
    printf '| %s | %.1f | %s | %s | %.0f |\n' "${LABEL[$c]}" "$(awk -v u="${CPU[$c]}" 'BEGIN{print u/1000}')" \
      "$(awk '{print $2}' "$TMP/cpu.$c" | median)" "$([[ -n $low ]] && ratio "${CPU[$c]}" "${CPU[$low]}" || echo -)" \
      "$(awk '{s += $1} END {print (NR ? s / NR / 1000 : 0)}' "$TMP/scpu.$c")"
  done
  echo
  echo "Server CPU: every Postfix and Dovecot process, before and after each run (/proc, 10 ms ticks, so a mean over the runs)."
fi

# ---- 8. the client's own overhead -----------------------------------------------------------------
# Per run: wall time (process start to exit) of verify-roundtrip --json --trace, and the server's
# delivery time of its message: from the client's receipt of the 250 to its final dot (trace, whose
# first line gives the wall-clock instant of time 0) to Dovecot's "saved mail to INBOX" for its
# Message-ID (µs log timestamps). overhead = wall − delivery. tests/bench/overhead.py does the
# matching, the medians and the breakdown.
if want over; then
  DLOG="$MAILSTACK_DIR/log/dovecot.log"
  PLOG="$MAILSTACK_DIR/log/postfix.log"
  if ! grep -qE '^[A-Z][a-z]{2} +[0-9]+ [0-9:]{8}\.[0-9]{6} ' <(tail -n 50 "$DLOG" 2>/dev/null); then
    echo "(table 8 skipped: $DLOG has no microsecond timestamps; restart the stack with the current tests/mailstack/mailstack.sh)" >&2
  else
    ov=(mv_full mv_none)
    for c in "${ov[@]}"; do mkdir -p "$TMP/ov.$c"; done
    for ((i = 0; i < N; i++)); do
      for c in "${ov[@]}"; do
        t0=${EPOCHREALTIME/[.,]/}  # no fork: wall-clock µs just before and after the process
        MV_OUT="$TMP/ov.$c/$i.json" "peer_$c" --json --trace "$TMP/ov.$c/$i.trace" 2>/dev/null
        t1=${EPOCHREALTIME/[.,]/}
        echo "$t0 $t1" >"$TMP/ov.$c/$i.wall"
      done
    done
    # Both logs are written by logging processes of their own, a little after the fact: wait until
    # each holds the last run's line (tail follows the file, nothing polls here).
    last="$TMP/ov.${ov[-1]}/$((N - 1)).json"
    tok=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"] or "")' "$last" \
      2>/dev/null) || tok=""
    qid=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["queue_id"] or "")' "$last" \
      2>/dev/null) || qid=""
    [[ -n $tok ]] && { wait_for_line "$DLOG" "msgid=<mailverify.$tok@" ||
      echo "(table 8: Dovecot never logged the last run's delivery)" >&2; }
    [[ -n $qid ]] && { wait_for_line "$PLOG" " $qid: to=<" ||
      echo "(table 8: Postfix never logged the last run's delivery)" >&2; }
    echo
    echo "## 8. Client's own overhead: wall − server delivery time (ms, median of $N runs; --json --trace)"
    echo
    "$PY" "$ROOT/tests/bench/overhead.py" "$DLOG" "$PLOG" "verify-roundtrip (full)=$TMP/ov.mv_full" \
      "verify-roundtrip --check none=$TMP/ov.mv_none"
    # Whose CPU: the stack's processes by name over a batch of runs, next to the client's own.
    for c in "${ov[@]}"; do
      : >"$TMP/oc.$c"
      "$PY" "$ROOT/tests/bench/stack_cpu.py" "$MAILSTACK_DIR" --by-name >"$TMP/os0.$c"
      d0=$(($(wc -l <"$DLOG") + 1)) p0=$(($(wc -l <"$PLOG") + 1))
      for ((i = 0; i < N; i++)); do WRAP="$CPU_OF $TMP/oc.$c" "peer_$c" >/dev/null 2>&1; done
      # The stack's last work comes after the client's exit: wait until its logs show every IMAP
      # login, LMTP delivery, SMTP connection and queued message of the batch finished.
      { wait_for_ends "$DLOG" "$d0" "imap-login: Info: Login:" ": Info: Disconnected" &&
        wait_for_ends "$DLOG" "$d0" ": Info: Connect from local" ": Info: Disconnect from local" &&
        wait_for_ends "$PLOG" "$p0" ": connect from" ": disconnect from" &&
        wait_for_ends "$PLOG" "$p0" ": message-id=<" ": removed"; } ||
        echo "(table 8: the stack's logs never showed the batch's sessions end)" >&2
      "$PY" "$ROOT/tests/bench/stack_cpu.py" "$MAILSTACK_DIR" --by-name >"$TMP/os1.$c"
    done
    echo
    echo "CPU per run, client and server by process (ms; means over a batch of $N runs each; /proc ticks for the server; a master's line holds the children it reaped, e.g. Dovecot's imap processes, one per login; a negative line is a long-lived process that ended during the batch, its CPU moved to its master's line):"
    echo
    echo "| process | verify-roundtrip (full) | verify-roundtrip --check none |"
    echo "|---|---:|---:|"
    printf '| verify-roundtrip (client, wait4) | %s | %s |\n' \
      "$(awk '{s += $1 + $2} END {printf "%.1f", s / NR / 1000}' "$TMP/oc.mv_full")" \
      "$(awk '{s += $1 + $2} END {printf "%.1f", s / NR / 1000}' "$TMP/oc.mv_none")"
    "$PY" - "$N" "$TMP/os0.mv_full" "$TMP/os1.mv_full" "$TMP/os0.mv_none" "$TMP/os1.mv_none" <<'PYEOF'
import sys
n = int(sys.argv[1])
def load(p):
    return {name: int(us) for us, name in (l.split(None, 1) for l in open(p).read().split("\n") if l.strip())}
cols = [(load(sys.argv[2]), load(sys.argv[3])), (load(sys.argv[4]), load(sys.argv[5]))]
names = sorted({k for a, b in cols for k in b}, key=lambda k: -sum(b.get(k, 0) - a.get(k, 0) for a, b in cols))
tot = [0.0, 0.0]
for k in names:
    # Not clipped: a process that ended during the batch leaves its name's line (negative) and
    # its whole life's CPU appears on its master's line, so only the total is exact.
    v = [(b.get(k, 0) - a.get(k, 0)) / n / 1000 for a, b in cols]
    if max(abs(x) for x in v) < 0.1:
        continue
    tot = [t + x for t, x in zip(tot, v)]
    print(f"| {k} | {v[0]:.1f} | {v[1]:.1f} |")
print(f"| all Postfix + Dovecot processes | {tot[0]:.1f} | {tot[1]:.1f} |")
PYEOF
  fi
fi

# ---- 9. latency --------------------------------------------------------------------------------
# Every contender of table 1 through tests/bench/delay_proxy.py (RTT/2 each way, order kept, TCP
# connect = 1 RTT) in front of 587 and 993, at each RTT of LAT_RTTS (0: straight to the stack).
# verify-roundtrip also writes --trace, from which tests/bench/critical_path.py counts the round
# trips on its critical path.
if want lat; then
  LN=${LAT_N:-$((N < 5 ? N : 5))}
  RTTS=(${LAT_RTTS:-0 20 80})
  declare -A LAT CP
  for rtt in "${RTTS[@]}"; do
    proxy_pid=
    if ((rtt > 0)); then
      coproc PROXY { exec "$PY" "$ROOT/tests/bench/delay_proxy.py" "$rtt" "0:$STACK_SMTP_PORT" "0:$STACK_IMAPS_PORT"; }
      proxy_pid=$PROXY_PID
      read -r ready p_smtp p_imaps <&"${PROXY[0]}"
      [[ $ready == ready ]] || { echo "delay proxy did not start" >&2; exit 1; }
      set_ports "$p_smtp" "$p_imaps"
    fi
    purge_peers
    for c in "${contenders[@]}"; do : >"$TMP/lat.$rtt.$c"; : >"$TMP/cp.$rtt.$c"; done
    for ((i = 0; i < LN; i++)); do
      for c in "${contenders[@]}"; do
        extra=()
        [[ $c == mv_full || $c == mv_none ]] && extra=(--trace "$TMP/lat.trace")
        rm -f "$TMP/lat.trace"
        t0=${EPOCHREALTIME/[.,]/}
        if "peer_$c" "${extra[@]}"; then
          echo $((${EPOCHREALTIME/[.,]/} - t0)) >>"$TMP/lat.$rtt.$c"
          [[ -f $TMP/lat.trace ]] && "$PY" "$ROOT/tests/bench/critical_path.py" "$TMP/lat.trace" >>"$TMP/cp.$rtt.$c"
        else echo "  ($c at $rtt ms run $i failed)" >&2; fi
      done
      purge_peers
    done
    for c in "${contenders[@]}"; do
      LAT[$rtt.$c]=$(median <"$TMP/lat.$rtt.$c")
      for k in 1 2 3 4; do CP[$rtt.$c.$k]=$(awk -v k=$k '{print $k}' "$TMP/cp.$rtt.$c" | median); done
    done
    if [[ -n $proxy_pid ]]; then
      kill "$proxy_pid" 2>/dev/null
      wait "$proxy_pid" 2>/dev/null
      set_ports "$STACK_SMTP_PORT" "$STACK_IMAPS_PORT"
    fi
  done
  echo
  echo "## 9. Latency: the round trip at ${RTTS[*]} ms RTT (delay_proxy.py in front of 587 and 993; wall ms, median of $LN runs)"
  echo
  head="| client |"; rule="|---|"
  for rtt in "${RTTS[@]}"; do
    head+=" $rtt ms: wall |"; rule+="---:|"
    ((rtt > 0)) && { head+=" in RTTs | (wall − wall at 0) / RTT |"; rule+="---:|---:|"; }
  done
  echo "$head"; echo "$rule"
  for c in "${contenders[@]}"; do
    row="| ${LABEL[$c]} |"
    for rtt in "${RTTS[@]}"; do
      w=${LAT[$rtt.$c]}
      row+=" $(awk -v w="$w" 'BEGIN{printf "%.0f", w/1000}') |"
      if ((rtt > 0)); then
        row+=" $(awk -v w="$w" -v r="$rtt" 'BEGIN{printf "%.1f", w/1000/r}') |"
        row+=" $(awk -v w="$w" -v z="${LAT[0.$c]:-0}" -v r="$rtt" 'BEGIN{printf "%.1f", (w-z)/1000/r}') |"
      fi
    done
    echo "$row"
  done
  echo
  echo "Ratios to the fastest peer at each RTT (target ≤ 0.5):"
  echo
  echo "| RTT | fastest peer | its wall ms | --check none | × | full run | × |"
  echo "|---:|---|---:|---:|---:|---:|---:|"
  for rtt in "${RTTS[@]}"; do
    best=
    for c in "${contenders[@]}"; do
      [[ $c == mv_* ]] && continue
      if [[ -z $best ]] || awk -v a="${LAT[$rtt.$c]}" -v b="${LAT[$rtt.$best]}" 'BEGIN{exit !(a < b)}'; then best=$c; fi
    done
    [[ -z $best ]] && continue
    printf '| %s | %s | %.0f | %.0f | %s | %.0f | %s |\n' "$rtt" "${LABEL[$best]}" \
      "$(awk -v w="${LAT[$rtt.$best]}" 'BEGIN{print w/1000}')" "$(awk -v w="${LAT[$rtt.mv_none]}" 'BEGIN{print w/1000}')" \
      "$(ratio "${LAT[$rtt.mv_none]}" "${LAT[$rtt.$best]}")" "$(awk -v w="${LAT[$rtt.mv_full]}" 'BEGIN{print w/1000}')" \
      "$(ratio "${LAT[$rtt.mv_full]}" "${LAT[$rtt.$best]}")"
  done
  echo
  echo "Round trips on verify-roundtrip's critical path (from --trace, tests/bench/critical_path.py; median of $LN runs): total = submit (to SMTP's 250) + after the 250; 'polls' are arrival polls that found nothing (waiting for delivery)."
  echo
  echo "| RTT | run | total | submit | after 250 | of them polls | total − polls (target: --check none ≤ 11, full ≤ 16) |"
  echo "|---:|---|---:|---:|---:|---:|---:|"
  for rtt in "${RTTS[@]}"; do
    for c in mv_none mv_full; do
      printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$rtt" "${LABEL[$c]}" "${CP[$rtt.$c.1]}" "${CP[$rtt.$c.2]}" \
        "${CP[$rtt.$c.3]}" "${CP[$rtt.$c.4]}" "$(awk -v a="${CP[$rtt.$c.1]}" -v b="${CP[$rtt.$c.4]}" 'BEGIN{print a-b}')"
    done
  done
fi
