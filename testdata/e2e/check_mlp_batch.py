"""Checks relaxrun's logits for the whole test set against numpy's MLP on the same weights:
every argmax equal, logits within 1e-3; prints the accuracy against the true labels.
Usage: check_mlp_batch.py IMAGES.npy PARAMS.npz LOGITS.npy LABELS.npy"""
import sys

import numpy as np

images = np.load(sys.argv[1])
params = np.load(sys.argv[2])
got = np.load(sys.argv[3])
labels = np.load(sys.argv[4])

hidden = np.maximum(images @ params["w0"].T + params["b0"], 0)
want = hidden @ params["w1"].T + params["b1"]
if got.shape != want.shape:
    sys.exit(f"shape {got.shape}, numpy gives {want.shape}")
worst = float(np.abs(got - want).max())
same = int((got.argmax(axis=1) == want.argmax(axis=1)).sum())
accuracy = 100.0 * float((got.argmax(axis=1) == labels).mean())
print(f"images: {len(got)}")
print(f"argmax equal to numpy: {same} of {len(got)}")
print(f"max abs logit difference: {worst:.2e}")
print(f"accuracy: {accuracy:.2f}%")
sys.exit(0 if same == len(got) and worst <= 1e-3 else 1)
