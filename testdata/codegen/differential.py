"""Differential test driver: runs a compiled module on random inputs for every combination of
sizes listed in the test file and compares each result with a numpy expression.

The test file (a .tvms) carries the specification in comments:
  # SIZES: n=0,1,7; m=1,5         sizes to try for each symbolic variable
  # INPUT: a float32 (n, m)       an input per parameter of main, in order
  # INPUT: b float32 (m,) positive  (values in (0.1, 2) instead of (-2, 2))
  # EXPECT: np.maximum(a, 0)      numpy expression over the inputs and sizes
  # TOL: 1e-5                     absolute and relative tolerance (default 1e-5)
Usage: differential.py MODULE.rx TEST.tvms WORKDIR [RELAXRUN ARGUMENTS...]
"""
import itertools
import os
import re
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nn_reference  # noqa: E402


def parse_spec(path):
    sizes, inputs, expect, tol = {}, [], None, 1e-5
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line.startswith("# SIZES:"):
            for part in line[len("# SIZES:"):].split(";"):
                name, values = part.split("=")
                sizes[name.strip()] = [int(v) for v in values.split(",")]
        elif line.startswith("# INPUT:"):
            fields = line[len("# INPUT:"):].split(None, 2)
            name, dtype, rest = fields[0], fields[1], fields[2]
            shape_text = rest[: rest.index(")") + 1]
            inputs.append((name, dtype, shape_text, "positive" in rest[len(shape_text):]))
        elif line.startswith("# EXPECT:"):
            expect = line[len("# EXPECT:"):].strip()
        elif line.startswith("# TOL:"):
            tol = float(line[len("# TOL:"):])
    if expect is None or not inputs:
        sys.exit(f"{path}: no '# INPUT:' or '# EXPECT:' lines")
    return sizes, inputs, expect, tol


def random_input(rng, dtype, shape, positive):
    if np.issubdtype(np.dtype(dtype), np.floating):
        low, high = (0.1, 2.0) if positive else (-2.0, 2.0)
        return rng.uniform(low, high, size=shape).astype(dtype)
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    low = 1 if positive else (0 if dtype == "uint8" else -50)
    return rng.integers(low, 50, size=shape).astype(dtype)


def main():
    module, test, workdir, extra = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    os.makedirs(workdir, exist_ok=True)
    sizes, inputs, expect, tol = parse_spec(test)
    rng = np.random.default_rng(20261125)
    names = list(sizes)
    cases, failures = 0, 0
    for combo in itertools.product(*(sizes[n] for n in names)):
        env = dict(zip(names, combo))
        arrays, args = {}, []
        for name, dtype, shape_text, positive in inputs:
            shape = eval(shape_text, {}, dict(env))
            shape = shape if isinstance(shape, tuple) else (shape,)
            arrays[name] = random_input(rng, dtype, shape, positive)
            path = os.path.join(workdir, f"{name}.npy")
            np.save(path, arrays[name])
            args += ["--input", f"{name}={path}"]
        out = os.path.join(workdir, "out.npy")
        if os.path.exists(out):
            os.remove(out)
        run = subprocess.run(["relaxrun", module, *extra, *args, "--output", out], capture_output=True, text=True)
        label = ", ".join(f"{k}={v}" for k, v in env.items())
        cases += 1
        if run.returncode != 0:
            print(f"FAIL [{label}]: relaxrun exited {run.returncode}: {run.stderr.strip()}")
            failures += 1
            continue
        got = np.load(out)
        scope = {"np": np, **{k: getattr(nn_reference, k) for k in dir(nn_reference) if not k.startswith("_")}}
        want = np.asarray(eval(expect, {**scope, **arrays, **env}))
        if got.shape != want.shape or got.dtype != want.dtype:
            print(f"FAIL [{label}]: got {got.dtype}{got.shape}, numpy gives {want.dtype}{want.shape}")
            failures += 1
        elif not np.allclose(got, want, rtol=tol, atol=tol, equal_nan=True):
            diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
            index = np.unravel_index(np.nanargmax(diff), diff.shape)
            print(f"FAIL [{label}]: at {index} got {got[index]} but numpy gives {want[index]}")
            failures += 1
    print(f"{'PASS' if failures == 0 else 'FAILED'}: {cases - failures} of {cases} cases match numpy")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
