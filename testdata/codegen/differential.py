"""Differential test driver: runs a compiled module on random inputs for every combination of
sizes listed in the test file and compares each result with a numpy expression.

The test file (a .tvms) carries the specification in comments:
  # SIZES: n=0,1,7; m=1,5         sizes to try for each symbolic variable
  # INPUT: a float32 (n, m)       an input per parameter of main, in order
  # INPUT: b float32 (m,) positive  (values in (0.1, 2) instead of (-2, 2))
  # INPUT: c float32 (m,) special   (some elements NaN, inf and -inf)
  # INPUT: i int64 (k,) range(-n,n) (integers in [-n, n), bounds over the sizes)
  # INPUT: h float32 (k,) halves    (multiples of 0.5 in [-4.5, 4.5]: ties for rounding)
  # INPUT: r float32 (k,) roundings (bit patterns at bfloat16's rounding edges, NaN payloads)
  # INPUT: x bfloat16 (k,)          (float32 values rounded to bfloat16; EXPECT sees them as
  #                               float32, relaxrun gets their bits; see bfloat16 below)
  # EXPECT: np.maximum(a, 0)      numpy expression over the inputs and sizes; a tuple of
  #                               them when main returns a tuple (written as .npz)
  # TOL: 1e-5                     absolute and relative tolerance (default 1e-5)
numpy has no bfloat16: as ml_dtypes' np.save does, bfloat16 arrays are files of 'V2' elements
(the 16 bits). A bfloat16 result loads as such; EXPECT gives it as to_bfloat16(float values)
(nn_reference), and the two are compared as float32 values.
Usage: differential.py MODULE.rx TEST.tvms WORKDIR [--as-params=a,b] [RELAXRUN ARGUMENTS...]
--as-params gives the inputs named through a --params .npz (tensors relaxrun freezes, as
weights) instead of --input.
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
            inputs.append((name, dtype, shape_text, rest[len(shape_text):].strip()))
        elif line.startswith("# EXPECT:"):
            expect = line[len("# EXPECT:"):].strip()
        elif line.startswith("# TOL:"):
            tol = float(line[len("# TOL:"):])
    if expect is None or not inputs:
        sys.exit(f"{path}: no '# INPUT:' or '# EXPECT:' lines")
    return sizes, inputs, expect, tol


def random_input(rng, dtype, shape, modifiers, env):
    if dtype == "bfloat16":  # drawn as float32, then rounded: the values EXPECT computes with
        return nn_reference.from_bfloat16(nn_reference.to_bfloat16(random_input(rng, "float32", shape, modifiers, env)))
    if "roundings" in modifiers:
        return nn_reference.bfloat16_rounding_cases(rng, shape)
    positive = "positive" in modifiers
    if "halves" in modifiers:  # k/2: exact ties for rounding
        return (rng.integers(-9, 10, size=shape) / 2).astype(dtype)
    bounds = re.search(r"range\(([^,]+),([^)]+)\)", modifiers)
    if bounds:
        low, high = (int(eval(b, {}, dict(env))) for b in bounds.groups())
        return rng.integers(low, max(high, low + 1), size=shape).astype(dtype)
    if np.issubdtype(np.dtype(dtype), np.floating):
        low, high = (0.1, 2.0) if positive else (-2.0, 2.0)
        values = rng.uniform(low, high, size=shape).astype(dtype)
        if "special" in modifiers and values.size:
            flat = values.reshape(-1)
            for k, special in enumerate([np.nan, np.inf, -np.inf]):
                flat[(k * 7) % flat.size] = special
        return values
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    low = 1 if positive else (0 if dtype == "uint8" else -50)
    return rng.integers(low, 50, size=shape).astype(dtype)


def compare(label, got, want, tol):
    """One failure line, or None when got matches numpy's want."""
    if got.shape != want.shape or got.dtype != want.dtype:
        return f"FAIL [{label}]: got {got.dtype}{got.shape}, numpy gives {want.dtype}{want.shape}"
    if want.dtype == np.dtype("V2"):  # bfloat16 on both sides: compare their values
        got, want = nn_reference.from_bfloat16(got), nn_reference.from_bfloat16(want)
    if want.dtype == np.bool_ or np.issubdtype(want.dtype, np.integer):
        if not np.array_equal(got, want):
            index = np.unravel_index(np.argmax(got != want), got.shape)
            return f"FAIL [{label}]: at {index} got {got[index]} but numpy gives {want[index]}"
        return None
    if not np.allclose(got, want, rtol=tol, atol=tol, equal_nan=True):
        diff = np.array(np.abs(got.astype(np.float64) - want.astype(np.float64)))  # an array even when 0-d
        diff[np.isnan(got) != np.isnan(want)] = np.inf
        index = np.unravel_index(np.nanargmax(diff), diff.shape)
        return f"FAIL [{label}]: at {index} got {got[index]} but numpy gives {want[index]}"
    return None


def main():
    np.seterr(all="ignore")  # NaN and inf are expected values here, not accidents
    module, test, workdir, extra = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    as_params = set()
    if extra and extra[0].startswith("--as-params="):
        as_params = set(extra.pop(0)[len("--as-params="):].split(","))
    os.makedirs(workdir, exist_ok=True)
    sizes, inputs, expect, tol = parse_spec(test)
    rng = np.random.default_rng(20261125)
    names = list(sizes)
    cases, failures = 0, 0
    for combo in itertools.product(*(sizes[n] for n in names)):
        env = dict(zip(names, combo))
        arrays, args = {}, []
        for name, dtype, shape_text, modifiers in inputs:
            shape = eval(shape_text, {}, dict(env))
            shape = shape if isinstance(shape, tuple) else (shape,)
            arrays[name] = random_input(rng, dtype, shape, modifiers, env)
            path = os.path.join(workdir, f"{name}.npy")
            np.save(path, nn_reference.to_bfloat16(arrays[name]) if dtype == "bfloat16" else arrays[name])
            if name not in as_params:
                args += ["--input", f"{name}={path}"]
        if as_params:
            params = os.path.join(workdir, "params.npz")
            np.savez(params, **{name: arrays[name] for name in as_params})
            args += ["--params", params]
        scope = {"np": np, **{k: getattr(nn_reference, k) for k in dir(nn_reference) if not k.startswith("_")}}
        want = eval(expect, {**scope, **arrays, **env})
        is_tuple = isinstance(want, (tuple, list))
        out = os.path.join(workdir, "out.npz" if is_tuple else "out.npy")
        if os.path.exists(out):
            os.remove(out)
        run = subprocess.run(["relaxrun", module, *extra, *args, "--output", out], capture_output=True, text=True)
        label = ", ".join(f"{k}={v}" for k, v in env.items())
        cases += 1
        if run.returncode != 0:
            print(f"FAIL [{label}]: relaxrun exited {run.returncode}: {run.stderr.strip()}")
            failures += 1
            continue
        if is_tuple:
            archive = np.load(out)
            got = [archive[f"arr_{i}"] if f"arr_{i}" in archive else None for i in range(len(want))]
        else:
            got, want = [np.load(out)], [want]
        problems = [f"FAIL [{label}]: the result has no field {i}" if g is None else compare(f"{label}; field {i}" if is_tuple else label, g, np.asarray(w), tol)
                    for i, (g, w) in enumerate(zip(got, want))]
        problems = [p for p in problems if p]
        if problems:
            print(problems[0])
            failures += 1
    print(f"{'PASS' if failures == 0 else 'FAILED'}: {cases - failures} of {cases} cases match numpy")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
