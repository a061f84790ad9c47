#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Configures and builds mailverify (tool and tests) into ${BUILD_DIR:-build}, warnings as errors.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} -DMAILVERIFY_WERROR=ON "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
