#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Regenerates cmake/generated/hot-text.ld, the link order of verify-roundtrip's code (MAILVERIFY_STATIC_DEPS).
#
# Why: the kernel maps a file-backed page fault's whole 64 KiB neighbourhood when those pages are
# in the page cache ("fault-around"), so the binary's text counts in peak RSS by the 64 KiB windows
# it touches, not by the code it runs. A run executes ~750 KiB of the ~1.5 MiB of text (static
# libstdc++ with its locale facets, mbedTLS, every output format), spread over nearly every window.
# The script places the input sections a run executes first and together, so the rest is never
# mapped.
#
# How: builds verify-roundtrip with a link map into ${BUILD_DIR:-build-linkorder}, runs it under
# callgrind against the local mail stack in the common modes (IMAP full and --check none, POP3,
# --json, --nagios), maps every executed instruction to its input section, and writes the list
# ordered by how many modes ran it, then by address. Sections with their own name (our code and
# libstdc++ are compiled with -ffunction-sections) are matched by name wherever they come from;
# mbedTLS's archives have one .text per object and are matched by archive and member.
#
# A stale list is harmless: names that no longer exist match nothing and new code lands in the
# ordinary .text after the hot part (correct, only less compact). Rerun after larger changes and
# compare tests/bench table 3. Needs the stack (tests/mailstack; env file $MAILSTACK_ENV or
# .mailstack/env), valgrind and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-build-linkorder}
OUT=${OUT:-cmake/generated/hot-text.ld}
# shellcheck disable=SC1090
source "${MAILSTACK_ENV:-.mailstack/env}"
command -v valgrind >/dev/null || { echo "gen-link-order: needs valgrind" >&2; exit 1; }

MAP="$ROOT/$BUILD_DIR/verify-roundtrip.map"
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} -DMAILVERIFY_WERROR=ON \
  -DMAILVERIFY_TESTS=OFF "-DCMAKE_EXE_LINKER_FLAGS=-Wl,-Map=$MAP" >/dev/null
rm -f "$BUILD_DIR/verify-roundtrip"  # relink, so the map belongs to this binary
cmake --build "$BUILD_DIR" -j"$(nproc)" --target verify-roundtrip >/dev/null
VR="$BUILD_DIR/verify-roundtrip"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export MV_LINKORDER_PASSWORD=$MAILSTACK_PASS1
common=(--email "$MAILSTACK_USER1" --host "$MAILSTACK_TLS_NAME" --smtp-port "$MAILSTACK_SMTP_SUBMISSION_PORT"
  --imap-port "$MAILSTACK_IMAPS_PORT" --pop3-port "$MAILSTACK_POP3S_PORT" --cafile "$MAILSTACK_CA"
  --password-env MV_LINKORDER_PASSWORD --no-color)
modes=("" "--check none" "--receive pop3" "--json" "--nagios")
for i in "${!modes[@]}"; do
  # shellcheck disable=SC2086
  valgrind -q --tool=callgrind --dump-instr=yes --demangle=no --callgrind-out-file="$TMP/cg.$i" \
    "$VR" "${common[@]}" ${modes[$i]} >"$TMP/out.$i" 2>&1 ||
    { echo "gen-link-order: mode '${modes[$i]}' failed:" >&2; cat "$TMP/out.$i" >&2; exit 1; }
done

python3 - "$MAP" "$OUT" "$TMP"/cg.* <<'PY'
import bisect, collections, re, sys
map_file, out_file, profiles = sys.argv[1], sys.argv[2], sys.argv[3:]

# Input sections of the executable output sections, from the link map.
sections = []  # (address, size, section name, file)
symbols = {}  # symbol -> address, to place code valgrind attributes to no object (below)
lines = open(map_file).read().split('\n')
inside = False
entry = re.compile(r'^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$')
for i, line in enumerate(lines):
    if re.match(r'^\.\S', line):
        inside = re.match(r'^\.text(\.hot)?(\s|$)', line) is not None
        continue
    if not inside:
        continue
    m = re.match(r'^\s+0x([0-9a-f]+)\s+([A-Za-z_][\w.$]*)$', line)
    if m:
        symbols[m.group(2)] = int(m.group(1), 16)
        continue
    m = re.match(r'^ (\.text\S*)(.*)$', line)
    if not m:
        continue
    e = entry.match(m.group(2)) or (entry.match(lines[i + 1]) if not m.group(2).strip() else None)
    if e and int(e.group(2), 16) > 0:
        sections.append((int(e.group(1), 16), int(e.group(2), 16), m.group(1), e.group(3).strip()))
sections.sort()
starts = [s[0] for s in sections]

# Executed instruction addresses of verify-roundtrip per profile (callgrind, --dump-instr=yes).
# Valgrind takes only the .text section as the object's code: what an earlier hot-text.ld put in
# .text.hot is reported under the object "???" at run-time addresses. Those are shifted by the
# load address, found from the functions whose link address the map gives.
runs = collections.Counter()
for profile in profiles:
    names, fns, obj, fn, last = {}, {}, '', '', 0
    costs = []  # (address, in the binary's own object)
    lowest = {}  # function -> lowest address seen under "???": its entry
    for line in open(profile):
        if line.startswith(('ob=', 'cob=', 'fn=', 'cfn=')):
            key, value = line.strip().split('=', 1)
            table = names if key.endswith('ob') else fns
            m = re.match(r'\((\d+)\)(?: (.*))?', value)
            if m.group(2):
                table[m.group(1)] = m.group(2)
            if key == 'ob':
                obj = table[m.group(1)]
            elif key == 'fn':
                fn = table[m.group(1)]
            continue
        if not line or line[0] not in '0123456789+-*':
            continue
        token = line.split()[0]  # positions are relative to the previous one, whatever its object
        last = int(token, 16) if token.startswith('0x') else last + int(token) if token[0] in '+-' else last
        if obj.endswith('/verify-roundtrip'):
            costs.append((last, True))
        elif obj == '???':
            costs.append((last, False))
            if fn in symbols:
                lowest[fn] = min(last, lowest.get(fn, last))
    biases = collections.Counter(a - symbols[f] for f, a in lowest.items())
    bias = biases.most_common(1)[0][0] if biases else 0
    hit = set()
    for address, own in costs:
        address = address if own else address - bias
        k = bisect.bisect_right(starts, address) - 1
        if k >= 0 and address < sections[k][0] + sections[k][1]:
            hit.add(k)
    runs.update(hit)
    print(f'gen-link-order: {profile.rsplit("/", 1)[-1]}: {len(hit)} sections executed')

hot = sorted(runs, key=lambda k: (-runs[k], sections[k][0]))
total = sum(s[1] for s in sections)
hot_size = sum(sections[k][1] for k in hot)
with open(out_file, 'w') as out:
    out.write('/* SPDX-License-Identifier: Apache-2.0 */\n')
    out.write('/* Generated by scripts/gen-link-order.sh: the input sections a verify-roundtrip run\n'
              f'   executes ({len(hot)} sections, {hot_size // 1024} KiB of {total // 1024} KiB of text), first and\n'
              '   together, so fault-around maps only these pages. Ordered by how many of the profiled\n'
              '   modes ran them. Linked with -T; INSERT keeps the default script for the rest.\n'
              '   Do not edit: regenerate after larger changes with scripts/gen-link-order.sh while the\n'
              '   test stack runs (tests/mailstack/mailstack.sh start). */\n')
    out.write('SECTIONS\n{\n  .text.hot :\n  {\n')
    for k in hot:
        name, origin = sections[k][2], sections[k][3]
        if name == '.text':  # one section per object (mbedTLS, crt files): name the object
            m = re.match(r'^(?:.*/)?([^/(]+\.a)\((.*)\)$', origin)
            obj = f'{m.group(1)}:{m.group(2)}' if m else origin.split('/')[-1]
            out.write(f'    *{obj}(.text)\n')
        else:
            out.write(f'    *({name})\n')
    out.write('  }\n}\nINSERT BEFORE .text;\n')
print(f'gen-link-order: {out_file}: {len(hot)} sections, {hot_size // 1024} KiB of {total // 1024} KiB')
PY
