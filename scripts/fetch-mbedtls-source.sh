#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fetches Debian's source package of the installed mbedTLS (the version of libmbedtls-dev, with
# Debian's patches applied) into ${MBEDTLS_SOURCE_ROOT:-.deps} and prints the source tree's path.
# The minimal profile builds mbedTLS from it with its own configuration
# (tools/minimal/mbedtls_config.h; see scripts/check-minimal-size.sh). apt checks the files
# against the archive's signed index. Needs deb-src entries, which scripts/setup.sh adds.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=${MBEDTLS_SOURCE_ROOT:-$PWD/.deps}

version=$(dpkg-query -W -f='${source:Version}' libmbedtls-dev 2>/dev/null) || {
  echo "fetch-mbedtls-source: libmbedtls-dev is not installed (scripts/setup.sh)" >&2
  exit 1
}
dest="$ROOT/mbedtls-$version"
if [[ ! -f $dest/include/mbedtls/ssl.h ]]; then
  mkdir -p "$ROOT"
  work=$(mktemp -d "$ROOT/fetch.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  chmod 755 "$work" # apt's download user must be able to write there
  (cd "$work" && apt-get -q source --download-only "mbedtls=$version") >&2 || {
    echo "fetch-mbedtls-source: apt-get source mbedtls=$version failed (no deb-src entry? run" \
      "scripts/setup.sh)" >&2
    exit 1
  }
  dpkg-source --no-check -x "$work"/mbedtls_"${version#*:}".dsc "$work/tree" >&2
  rm -rf "$dest"
  mv "$work/tree" "$dest"
fi
echo "$dest"
