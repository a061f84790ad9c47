#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# scripts/setup.sh - prepare a fresh Debian 12 machine for building and testing mailverify.
#
# Idempotent and non-interactive. Run as root (uses sudo otherwise).
# Installs the tool chain (cmake, g++, clang, clang-format), the libraries (mbedTLS, doctest,
# cxxopts) and the mail servers used by tests/mailstack/mailstack.sh (Postfix, Dovecot). For the
# minimal static profile: musl (its libc). A deb-src entry for Debian 13, so
# scripts/fetch-mbedtls-source.sh can fetch mbedTLS 3.6's source package, which the build compiles
# (TLS 1.3; libmbedtls-dev, Debian 12's 2.28, stays for -DMAILVERIFY_SYSTEM_MBEDTLS=ON). For the
# monitoring checks (scripts/check-monitoring.sh): python3-jsonschema (the JSON contract), promtool
# (prometheus), icinga2's configuration check (icinga2-bin) and systemd-analyze (systemd). For the
# packaging checks (scripts/check-packaging.sh): debhelper and lintian (the Debian package),
# pkg-config (the example built against mailverify.pc), man-db, and the shells whose completions
# are tested (bash-completion, zsh, fish).
# The system-wide Postfix/Dovecot daemons are NOT started and NOT left running: the test stack
# runs private instances with their own configuration (see tests/mailstack/mailstack.sh).
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    exec sudo -E -- bash "$0" "$@"
  fi
  echo "setup.sh: must run as root (and sudo is not available)" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
  build-essential cmake g++ clang clang-format libclang-rt-14-dev
  libmbedtls-dev doctest-dev libcxxopts-dev
  postfix dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd
  openssl ca-certificates python3 procps iproute2
  musl-tools musl-dev dpkg-dev
  python3-jsonschema prometheus icinga2-bin icinga2-common systemd
  debhelper lintian pkg-config man-db bash-completion zsh fish
  dnsmasq-base
)

# Postfix: "No configuration" so the install neither prompts nor writes /etc/postfix/main.cf.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
echo "postfix postfix/mailname string mailverify.test" | debconf-set-selections

# Keep maintainer scripts from starting daemons during the install (no init here anyway, but
# be safe on machines that have one). Only remove the policy file if we created it.
POLICY=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e $POLICY ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$POLICY"
  chmod 755 "$POLICY"
  created_policy=1
fi
cleanup() { if [[ $created_policy -eq 1 ]]; then rm -f "$POLICY"; fi; }
trap cleanup EXIT

need_update=0
# deb-src for Debian 13 (trixie): scripts/fetch-mbedtls-source.sh fetches mbedTLS 3.6 LTS's
# source package from it (only source indexes: no trixie binary package is ever installed). Its
# Release file is signed by trixie's archive keys, in debian-archive-keyring since 2023.3+deb12u2.
TRIXIE_SRC=/etc/apt/sources.list.d/mailverify-deb-src-trixie.sources
if [[ ! -f $TRIXIE_SRC ]]; then
  cat >"$TRIXIE_SRC" <<SOURCES
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie trixie-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  need_update=1
fi
if [[ ! -f /usr/share/keyrings/debian-archive-trixie-automatic.gpg ]]; then
  apt-get update # the bookworm indexes, for a debian-archive-keyring that knows trixie's keys
  apt-get install -y --only-upgrade debian-archive-keyring
  need_update=1
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} || need_update)); then
  apt-get update
fi
if ((${#missing[@]})); then
  apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "setup.sh: all packages already installed"
fi

# If the machine does run systemd, make sure the system-wide mail daemons stay off.
if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
  systemctl disable --now postfix.service dovecot.service prometheus.service >/dev/null 2>&1 || true
fi

# System user owning the test stack's Maildirs (tests/mailstack/mailstack.sh creates it too).
if ! getent passwd mvmail >/dev/null; then
  useradd --system --user-group --home-dir /nonexistent --no-create-home \
    --shell /usr/sbin/nologin mvmail
fi

echo "setup.sh: done"
