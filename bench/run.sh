#!/usr/bin/env bash
# Runs the benchmarks: the machine's multiply-add peak, the chapter's MLP and CNN in every form
# against oneDNN, numpy and PyTorch, and ResNet-18, MobileNetV2, a BERT-base encoder and a GPT-2
# block against PyTorch and oneDNN, in one run; writes bench/out/results.{json,png} and a table
# with the ratios and fractions of peak on stdout. Not part of the test suite: timings depend
# on the machine and its load (about 10 minutes; the models' weights, ~0.6 GB, are generated
# once into bench/out/models).
#   bench/run.sh [--only small|models]   (installs what it needs if missing, builds)
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if ! dpkg -s libdnnl-dev python3-matplotlib python3-torch python3-torchvision >/dev/null 2>&1; then
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends libdnnl-dev python3-matplotlib python3-torch python3-torchvision
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build --target relaxc relaxrun onednn_mlp onednn_cnn onednn_convnet fma_peak
exec /usr/bin/python3 bench/run.py "$@"
