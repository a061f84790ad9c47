#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fetches Debian's source package of mbedTLS 3.6 LTS (Debian 13 "trixie", with Debian's patches
# applied) into ${MBEDTLS_SOURCE_ROOT:-.deps} and prints the source tree's path. The build
# compiles mbedTLS from it (cmake/MbedTLSFromSource.cmake): the tool with upstream's configuration
# plus tools/mbedtls_user_config.h, the minimal profile with tools/minimal/mbedtls_config.h.
#
# Why 3.6 from source: Debian 12 ships only 2.28, which has no TLS 1.3 and reached its upstream
# end of life at the end of 2024; 3.6 is upstream's long-term-support branch and Debian 13's.
# The newest 3.6.x the deb-src entries offer is taken (trixie-security's fixes included); pin one
# with MBEDTLS_DEBIAN_VERSION=3.6.6-0.1~deb13u1.
#
# Checks: apt-get verifies every downloaded file against the Sources index of the archive's signed
# Release file; dpkg-source verifies the .dsc's checksums (size, SHA-256) of the tarballs again
# before unpacking. Needs the trixie deb-src entry that scripts/setup.sh adds.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=${MBEDTLS_SOURCE_ROOT:-$PWD/.deps}

version=${MBEDTLS_DEBIAN_VERSION:-$(apt-cache showsrc mbedtls 2>/dev/null |
  sed -n 's/^Version: \(3\.6\.[^ ]*\)$/\1/p' | sort -V | tail -1)}
if [[ -z $version ]]; then
  echo "fetch-mbedtls-source: no mbedtls 3.6 source package known to apt (no trixie deb-src" \
    "entry? run scripts/setup.sh)" >&2
  exit 1
fi
dest="$ROOT/mbedtls-$version"
if [[ ! -f $dest/include/mbedtls/ssl.h ]]; then
  mkdir -p "$ROOT"
  work=$(mktemp -d "$ROOT/fetch.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  chmod 755 "$work" # apt's download user must be able to write there
  (cd "$work" && apt-get -q source --download-only "mbedtls=$version") >&2 || {
    echo "fetch-mbedtls-source: apt-get source mbedtls=$version failed" >&2
    exit 1
  }
  # Without --no-check: the checksums in the .dsc are verified (the maintainer's OpenPGP
  # signature cannot be, no Debian developer keyring here; apt's check above covers the .dsc).
  dpkg-source -x "$work"/mbedtls_"${version#*:}".dsc "$work/tree" >&2
  rm -rf "$dest"
  mv "$work/tree" "$dest"
fi
echo "$dest"
