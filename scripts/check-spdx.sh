#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Every source file the project tracks carries its licence as an SPDX line near its top
# ("SPDX-License-Identifier: Apache-2.0" within the first 5 lines, after any #! line): code,
# headers, scripts, CMake, linker scripts, fuzz dictionaries, the man page and the Debian
# packaging. Data (fuzz corpora, recorded transcripts) and prose (*.md, LICENSE, NOTICE) are
# exempt. Lists every file without the line and exits 1; `--fix` adds the line in the comment
# syntax of each file's kind instead.
set -euo pipefail
cd "$(dirname "$0")/.."
ID="SPDX-License-Identifier: Apache-2.0"

# The comment that carries the line, by the file's kind; empty: the file is exempt.
comment_for() {
  case "$1" in
    fuzz/corpus/* | tests/data/* | *.md | LICENSE | NOTICE | .gitignore | .clang-format) ;;
    *.json) ;;  # JSON has no comments (the schema says its licence in README's terms)
    debian/changelog | debian/compat | debian/source/format | debian/*.install | debian/*.docs) ;;
    debian/*.manpages | debian/*.links | debian/*.dirs | debian/*.examples | debian/tests/control) ;;
    debian/source/options | debian/*.lintian-overrides | debian/upstream/* | debian/not-installed) ;;
    *.cpp | *.hpp | *.h | *.cpp.in | *.hpp.in) echo "// $ID" ;;
    *.ld) echo "/* $ID */" ;;
    *.1 | *.1.in) echo ".\\\" $ID" ;;
    *.sh | *.py | *.cmake | *.cmake.in | */CMakeLists.txt | CMakeLists.txt | *.dict | *.pc.in) echo "# $ID" ;;
    *.bash | *.zsh | *.fish | .ci/run | debian/rules | debian/control | debian/copyright) echo "# $ID" ;;
    debian/watch | debian/*.fish | */completions/*) echo "# $ID" ;;
    *.conf | *.service | *.timer) echo "# $ID" ;;
    *) echo "unknown" ;;
  esac
}

fix=0
[[ ${1:-} == --fix ]] && fix=1
missing=0
while IFS= read -r f; do
  [[ -f $f ]] || continue
  c=$(comment_for "$f")
  [[ -z $c ]] && continue
  if [[ $c == unknown ]]; then
    echo "check-spdx: $f: unknown kind of file; add it to scripts/check-spdx.sh" >&2
    missing=1
    continue
  fi
  head -n 5 "$f" | grep -qF "$ID" && continue
  if ((fix)); then
    echo "check-spdx: $f: line added"
    if [[ $(head -c 2 "$f") == '#!' ]]; then
      sed -i "1a $c" "$f"
    else
      sed -i "1i $c" "$f"
    fi
  else
    echo "check-spdx: $f: no '$ID' line in its first 5 lines" >&2
    missing=1
  fi
done < <(git ls-files --cached --others --exclude-standard)
if ((missing)); then
  echo "check-spdx: add the line (scripts/check-spdx.sh --fix does it)" >&2
  exit 1
fi
echo "check-spdx: every source file carries '$ID'"
