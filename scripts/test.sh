#!/usr/bin/env bash
# Installs the dependencies, builds everything and runs every test suite under ctest; exits with
# ctest's status. Works from any directory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
exec ctest --test-dir build --output-on-failure -j2 --timeout 300
