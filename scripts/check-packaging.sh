#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Packaging checks, run by .ci/run after scripts/test.sh:
#  1. every source file carries its SPDX licence line (scripts/check-spdx.sh);
#  2. the Debian package: dpkg-buildpackage -us -uc -b in a copy of the tree (unit tests run in
#     the build, integration tests left out), lintian without errors;
#  3. `cmake --install` of the library variant (the system's mbedTLS, as the Debian package links
#     it) into a staging prefix: the files it installs are listed and checked, the
#     installed tool runs --version, the man page renders without warnings, the installed
#     completions load in each shell. The staged build is the Debian package's own build tree,
#     so the engine compiles once here, not twice;
#  4. the example (examples/roundtrip) builds out of tree against the staged engine, once with
#     CMake (find_package(mailverify CONFIG)) and once with pkg-config, and both binaries pass a
#     round trip on the local mail stack (started here unless it runs);
#  5. with CHECK_PACKAGING_INSTALL=1 (CI, a throwaway machine) the .debs are installed with
#     apt-get and checked: man verify-roundtrip, bash completion, the example against /usr.
# CHECK_PACKAGING_DEB=0 skips the Debian package (steps 2 and 5): the staged build is then a plain
# CMake build of the same variant.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=${CHECK_PACKAGING_DIR:-$ROOT/build-packaging}
rm -rf "$WORK"
mkdir -p "$WORK"

echo "-- SPDX lines"
scripts/check-spdx.sh

if [[ ${CHECK_PACKAGING_DEB:-1} == 1 ]]; then
  echo "-- Debian package (dpkg-buildpackage -us -uc -b)"
  DEB=$WORK/deb
  mkdir -p "$DEB/src"
  git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$DEB/src"
  (cd "$DEB/src" && DEB_BUILD_OPTIONS="parallel=$(nproc)" dpkg-buildpackage -us -uc -b) >"$DEB/build.log" 2>&1 || {
    tail -50 "$DEB/build.log" >&2
    echo "check-packaging: dpkg-buildpackage failed (log: $DEB/build.log)" >&2
    exit 1
  }
  grep -E "tests passed|tests failed|Skipped|Not Run" "$DEB/build.log" | sed 's/^/   /' || true
  ls "$DEB"/*.deb | sed 's/^/   /'
  changes=$(ls "$DEB"/*.changes)
  lintian --fail-on error "$changes" | sed 's/^/   lintian: /' || {
    echo "check-packaging: lintian found errors" >&2
    exit 1
  }
  # debian/rules configures the same variant (system mbedTLS) with the distribution's flags and
  # its own documentation directory.
  LIB_BUILD=$DEB/src/debian/build
  DOC=verify-roundtrip
else
  # The engine as a library links the system's mbedTLS, as the Debian package does: the default
  # build compiles its own mbedTLS 3.6 with a private configuration and installs the tool only.
  LIB_BUILD=$WORK/lib-build
  cmake -S . -B "$LIB_BUILD" -DMAILVERIFY_SYSTEM_MBEDTLS=ON -DMAILVERIFY_TESTS=OFF \
    -DMAILVERIFY_WERROR=ON >/dev/null
  cmake --build "$LIB_BUILD" -j"$(nproc)" >/dev/null
  DOC=mailverify
fi

echo "-- cmake --install into a staging prefix"
STAGE=$WORK/stage
cmake --install "$LIB_BUILD" --prefix "$STAGE" >"$WORK/install.log"
(cd "$STAGE" && find . -type f -o -type l | sed 's|^\./||' | sort) >"$WORK/installed.txt"
sed 's/^/   /' "$WORK/installed.txt"
libdir=$(cd "$STAGE" && dirname "$(find . -name libmailverify_engine.a | sed 's|^\./||')")
missing=0
for f in bin/verify-roundtrip share/man/man1/verify-roundtrip.1 \
  share/bash-completion/completions/verify-roundtrip share/zsh/vendor-completions/_verify-roundtrip \
  share/fish/vendor_completions.d/verify-roundtrip.fish share/doc/$DOC/README.md \
  share/doc/$DOC/NOTICE share/doc/$DOC/LICENSE \
  share/doc/$DOC/examples/roundtrip/main.cpp include/mailverify/mailverify.hpp \
  include/mailverify/protocols.hpp include/mailverify/engine/run.hpp \
  include/mailverify/protocols/smtp/client.hpp include/mailverify/tls/stream.hpp \
  "$libdir"/libmailverify_engine.a "$libdir"/libmailverify_tls.a "$libdir"/libmailverify_protocols.a "$libdir"/libmailverify_core.a \
  "$libdir"/cmake/mailverify/mailverifyConfig.cmake "$libdir"/cmake/mailverify/mailverifyConfigVersion.cmake \
  "$libdir"/cmake/mailverify/mailverifyTargets.cmake "$libdir"/pkgconfig/mailverify.pc; do
  grep -qxF "$f" "$WORK/installed.txt" || { echo "check-packaging: not installed: $f" >&2; missing=1; }
done
((missing == 0)) || exit 1
# Installed headers include each other under mailverify/ only: no generic engine/, tls/ names.
if grep -rnE '#include "(core|engine|tls|protocols)/' "$STAGE/include"; then
  echo "check-packaging: an installed header includes a path outside mailverify/" >&2
  exit 1
fi
"$STAGE/bin/verify-roundtrip" --version
version_line=$("$STAGE/bin/verify-roundtrip" --version)
project_version=$(sed -n 's/^project(mailverify VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[[ $version_line == "verify-roundtrip $project_version "* ]] || {
  echo "check-packaging: --version says '$version_line', the project is $project_version" >&2
  exit 1
}
warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$STAGE/share/man/man1/verify-roundtrip.1" 2>&1 >/dev/null)
[[ -z $warnings ]] || { echo "check-packaging: man page warnings:"$'\n'"$warnings" >&2; exit 1; }
tests/packaging/check-completions.sh "$STAGE/share/bash-completion/completions/verify-roundtrip" \
  "$STAGE/share/zsh/vendor-completions/_verify-roundtrip" \
  "$STAGE/share/fish/vendor_completions.d/verify-roundtrip.fish"

# The example, built out of tree from a copy of the installed one, as a user of the package would.
example_roundtrip() { # binary: a round trip on the local stack as alice, by the certificate's name
  MAILVERIFY_PASSWORD=$MAILSTACK_PASS1 "$1" "$MAILSTACK_TLS_NAME" "$MAILSTACK_SMTP_SUBMISSION_PORT" \
    "$MAILSTACK_IMAPS_PORT" "$MAILSTACK_USER1" "$MAILSTACK_CA"
}
build_example() { # prefix, output dir, doc dir name: the example with CMake and with pkg-config
  local prefix=$1 out=$2 doc=$3 pcdir
  rm -rf "$out"
  mkdir -p "$out"
  cp -r "$prefix/share/doc/$doc/examples/roundtrip" "$out/src"
  cmake -S "$out/src" -B "$out/cmake" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
  cmake --build "$out/cmake" -j"$(nproc)" >/dev/null
  pcdir=$(dirname "$(find "$prefix/lib" -maxdepth 3 -name mailverify.pc | head -1)")
  # shellcheck disable=SC2046
  c++ -std=c++20 -O2 "$out/src/main.cpp" -o "$out/pkgconfig-roundtrip" \
    $(PKG_CONFIG_PATH=$pcdir pkg-config --cflags --libs mailverify)
}
echo "-- the example against the staged engine (CMake and pkg-config)"
build_example "$STAGE" "$WORK/example" "$DOC"
# shellcheck source=scripts/lib/mailstack-up.sh
source scripts/lib/mailstack-up.sh
mailstack_up
eval "$(tests/mailstack/mailstack.sh env)"
for bin in "$WORK/example/cmake/roundtrip" "$WORK/example/pkgconfig-roundtrip"; do
  echo "   $bin"
  example_roundtrip "$bin" | sed 's/^/     /'
done

if [[ ${CHECK_PACKAGING_DEB:-1} == 1 && ${CHECK_PACKAGING_INSTALL:-0} == 1 ]]; then
  echo "-- the .debs installed"
  apt-get install -y --no-install-recommends "$DEB"/verify-roundtrip_*.deb "$DEB"/libmailverify-dev_*.deb >/dev/null
  verify-roundtrip --version
  man -w verify-roundtrip
  page=$(MANWIDTH=80 man verify-roundtrip 2>/dev/null)
  [[ $page == *--smtp-tls* ]] || { echo "check-packaging: man verify-roundtrip lacks --smtp-tls" >&2; exit 1; }
  tests/packaging/check-completions.sh /usr/share/bash-completion/completions/verify-roundtrip \
    /usr/share/zsh/vendor-completions/_verify-roundtrip \
    /usr/share/fish/vendor_completions.d/verify-roundtrip.fish
  build_example /usr "$WORK/example-usr" libmailverify-dev
  for bin in "$WORK/example-usr/cmake/roundtrip" "$WORK/example-usr/pkgconfig-roundtrip"; do
    echo "   $bin"
    example_roundtrip "$bin" | sed 's/^/     /'
  done
fi
echo "check-packaging: passed"
