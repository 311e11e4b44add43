#!/usr/bin/env bash
# Runs the benchmark of the chapter's MLP: relaxrun against oneDNN, numpy and (when installed)
# PyTorch, in one run, and writes bench/out/results.{json,png} plus a table on stdout.
# Not part of the test suite: timings depend on the machine and its load.
#   bench/run.sh            (installs libdnnl-dev and python3-matplotlib if missing, builds)
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if ! dpkg -s libdnnl-dev python3-matplotlib >/dev/null 2>&1; then
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends libdnnl-dev python3-matplotlib
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target relaxc relaxrun onednn_mlp onednn_cnn
exec /usr/bin/python3 bench/run.py "$@"
