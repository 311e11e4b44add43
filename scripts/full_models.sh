#!/usr/bin/env bash
# Full-size models end to end, on demand (not part of the test suite: ~0.5 GB of weights and
# whole-model compile times): testdata/models/generate.py --full writes torchvision's ResNet-18
# and MobileNetV2 (random seeded weights, 1x3x224x224) and the BERT-style encoder at BERT-base
# size (12 layers, hidden 768, 12 heads, 128 tokens) and a GPT-2-small decoder block (768 wide,
# 12 heads, 128 tokens) into a temporary directory as TVM's PyTorch importer gives them; each is
# compiled with relaxc, run with relaxrun and compared with PyTorch's eval-mode output: max |relaxrun - torch| / max |torch| must be at most 1e-4. One
# line per model; exit 1 if any model fails.
#   scripts/full_models.sh           (installs python3-torchvision if missing)
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON=/usr/bin/python3
# The tools of build/ (else those on PATH); RELAXC / RELAXRUN in the environment override them.
if [ -z "${RELAXC:-}" ]; then RELAXC=build/tools/relaxc; [ -x "$RELAXC" ] || RELAXC=relaxc; fi
if [ -z "${RELAXRUN:-}" ]; then RELAXRUN=build/tools/relaxrun; [ -x "$RELAXRUN" ] || RELAXRUN=relaxrun; fi

if ! "$PYTHON" -c "import torchvision" 2>/dev/null; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends python3-torchvision >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! "$PYTHON" testdata/models/generate.py --full "$work" >"$work/generate.log" 2>&1; then
  echo "generate.py --full failed:"; tail -5 "$work/generate.log"; exit 1
fi

status=0
for model in resnet18 mobilenet_v2 bert_base gpt2_block; do
  start=$(date +%s%N)
  if ! "$RELAXC" "$work/$model.tvms" -o "$work/$model.rx" 2>"$work/$model.relaxc.log"; then
    errors=$(grep -c "error:" "$work/$model.relaxc.log")
    echo "$model: FAIL: relaxc reports $errors errors; the first: $(grep -m1 'error:' "$work/$model.relaxc.log" | sed 's/^[^ ]* //')"
    status=1; continue
  fi
  compiled=$(date +%s%N)
  if ! "$RELAXRUN" "$work/$model.rx" --input "$work/${model}_input.npy" --params "$work/${model}_params.npz" \
      --output "$work/${model}_got.npy" >/dev/null 2>"$work/$model.relaxrun.log"; then
    echo "$model: FAIL: relaxrun: $(head -1 "$work/$model.relaxrun.log")"
    status=1; continue
  fi
  ran=$(date +%s%N)
  if ! "$PYTHON" - "$work/${model}_got.npy" "$work/${model}_expected.npy" "$model" \
      $(( (compiled - start) / 1000000 )) $(( (ran - compiled) / 1000000 )) <<'EOF'
import sys
import numpy as np
got, expected = np.load(sys.argv[1]), np.load(sys.argv[2])
model, compile_s, run_s = sys.argv[3], int(sys.argv[4]) / 1000, int(sys.argv[5]) / 1000
if got.shape != expected.shape:
    print("%s: FAIL: output shape %s, PyTorch's %s" % (model, got.shape, expected.shape))
    sys.exit(1)
relative = float(np.abs(got.astype(np.float64) - expected).max() / np.abs(expected).max())
verdict = "PASS" if relative <= 1e-4 else "FAIL"
print("%s: %s: max relative difference %.2e over %d values (relaxc %.1f s, relaxrun %.1f s)"
      % (model, verdict, relative, expected.size, compile_s, run_s))
sys.exit(0 if verdict == "PASS" else 1)
EOF
  then status=1; fi
done
exit $status
