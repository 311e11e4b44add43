"""Checks relaxrun's CNN logits on the test set against a numpy CNN with the same weights
(conv2d 3x3 -> bias -> relu -> max_pool2d 2x2 -> flatten -> linear 100 -> relu -> linear 10):
every argmax equal, logits within 1e-3; prints the accuracy against the true labels.
Usage: check_cnn_batch.py IMAGES.npy PARAMS.npz LOGITS.npy LABELS.npy"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "codegen"))
from nn_reference import conv2d, max_pool2d  # noqa: E402

images = np.load(sys.argv[1])
p = np.load(sys.argv[2])
got = np.load(sys.argv[3])
labels = np.load(sys.argv[4])

x = conv2d(images, p["conv2d_weight"]) + p["conv2d_bias"].reshape(1, -1, 1, 1)
x = max_pool2d(np.maximum(x, 0), (2, 2), strides=(2, 2))
x = x.reshape(len(x), -1)
x = np.maximum(x @ p["linear0_weight"].T + p["linear0_bias"], 0)
want = (x @ p["linear1_weight"].T + p["linear1_bias"]).astype(np.float32)
if got.shape != want.shape:
    sys.exit(f"shape {got.shape}, numpy gives {want.shape}")
worst = float(np.abs(got - want).max())
same = int((got.argmax(axis=1) == want.argmax(axis=1)).sum())
print(f"images: {len(got)}")
print(f"argmax equal to numpy: {same} of {len(got)}")
print(f"max abs logit difference: {worst:.2e}")
print(f"accuracy: {100.0 * float((got.argmax(axis=1) == labels).mean()):.2f}%")
sys.exit(0 if same == len(got) and worst <= 1e-3 else 1)
