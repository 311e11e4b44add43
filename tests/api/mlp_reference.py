"""The chapter's MLP computed by numpy, independently of relaxc: relu(x @ w0.T + b0) @ w1.T + b1.

usage: mlp_reference.py IMAGE.npy PARAMS.npz OUT.npy"""
import sys

import numpy as np

image, params, out = sys.argv[1:4]
x = np.load(image).astype(np.float32)
p = np.load(params)
hidden = np.maximum(x @ p["w0"].T + p["b0"], 0)
np.save(out, (hidden @ p["w1"].T + p["b1"]).astype(np.float32))
