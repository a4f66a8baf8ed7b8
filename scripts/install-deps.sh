#!/usr/bin/env bash
# Installs the Debian 12 packages that building, testing and benchmarking cafmq need.
# Idempotent: does nothing (not even apt-get update) when everything is already installed.
set -euo pipefail

packages=(
  build-essential cmake g++ pkg-config  # toolchain
  ccache                                # compiler cache shared by build trees and clones
  libcaf-dev libboost-dev libsodium-dev # the library: CAF 0.17, Boost.Asio, libsodium
  libgtest-dev                          # unit and integration tests
  libzmq3-dev python3 python3-zmq       # interop tests and benchmarks: libzmq and pyzmq peers
  default-jdk-headless libjeromq-java   # interop tests with a ZMTP 2.0 peer: JeroMQ 0.3.6
  iproute2                              # fault injection: network namespaces, veth, tc qdiscs
  clang libclang-rt-14-dev llvm         # fuzzing: clang, libFuzzer + sanitizer runtimes, symbolizer
  clang-tidy cppcheck                   # static analysis (scripts/static-analysis.sh)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg -s "$p" >/dev/null 2>&1; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root, or: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
