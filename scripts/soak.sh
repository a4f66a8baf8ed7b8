#!/usr/bin/env bash
# The soak (docs/security-testing.md): four socket patterns over loopback TCP with connection
# churn, printing resident memory, open descriptors and each pattern's rate every INTERVAL
# seconds; fails on a lost, reordered or wrong message, a stall, or memory/descriptor growth.
#
#   scripts/soak.sh [SECONDS (default 600)] [INTERVAL (default 10)]
#   scripts/soak.sh 60 10      # CI's short run
#
# Builds cafmq_soak in build/ (as scripts/test.sh configures it); installs nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds=${1:-600}
interval=${2:-10}
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target cafmq_soak
exec build/tests/cafmq_soak --seconds "$seconds" --interval "$interval"
