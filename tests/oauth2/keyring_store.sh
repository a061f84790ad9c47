#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A stand-in keyring for the --oauth2-store-cmd tests: keeps each grant in $MV_KEYRING_DIR/<email>.
# Called as: keyring_store.sh get|put|delete EMAIL (put: the grant on standard input).
set -eu
f="$MV_KEYRING_DIR/$2"
case "$1" in
  get) if [ -f "$f" ]; then cat "$f"; fi ;;
  put) umask 077; cat >"$f.tmp" && mv "$f.tmp" "$f" ;;
  delete) rm -f "$f" ;;
  *) exit 2 ;;
esac
