#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine: installs every package the project needs, builds, and
# installs relaxc and relaxrun onto PATH. Running it again is harmless.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  build-essential cmake ninja-build pkg-config git python3 zlib1g-dev libzstd-dev
  llvm-19-dev llvm-19-tools liblld-19-dev
  antlr4 default-jre-headless libantlr4-runtime-dev
  libcli11-dev libspdlog-dev catch2 libdlpack-dev libopenblas-dev nlohmann-json3-dev libjemalloc-dev
  python3-numpy
)
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${PACKAGES[@]}"

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build
$SUDO cmake --install build
echo "relaxc and relaxrun are installed: $(command -v relaxc) $(command -v relaxrun)"
