#!/usr/bin/env bash
# The README's demo: installs the dependencies, builds, and runs the supervised PUSH/PULL
# pipeline (a worker is killed mid-stream and the stream resumes). Works from any directory.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j"$(nproc)"
exec build/examples/supervised_pipeline
