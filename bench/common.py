"""What the benchmark's cases share: the tools' paths, running a command, and timing relaxrun,
oneDNN and whole processes. Every ratio is baseline time / relaxrun time (above 1: relaxrun is
faster)."""
import json
import os
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
BUILD = os.path.join(ROOT, "build")
RELAXC = os.path.join(BUILD, "tools", "relaxc")
RELAXRUN = os.path.join(BUILD, "tools", "relaxrun")
PYTHON = "/usr/bin/python3"  # Debian's, with numpy and python3-torch
CORES = os.cpu_count() or 1


def run(cmd, env=None):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env={**os.environ, **(env or {})}).stdout


def relaxc(source, rx, *flags):
    """Compiles `source` to `rx`; returns the whole process's seconds."""
    start = time.perf_counter()
    run([RELAXC, source, "-o", rx, *flags])
    return time.perf_counter() - start


def relaxrun_us(rx, inputs, params=None, runs=100, threads=None):
    """Median microseconds per call of relaxrun --benchmark."""
    cmd = [RELAXRUN, rx]
    for path in inputs:
        cmd += ["--input", path]
    if params:
        cmd += ["--params", params]
    if threads:
        cmd += ["--threads", str(threads)]
    return json.loads(run(cmd + ["--benchmark", str(runs), "--format", "json"]))["median_us"]


def onednn_us(binary, args, threads):
    """Median microseconds per call of a oneDNN baseline of bench/ (it prints one JSON line)."""
    return json.loads(run([os.path.join(BUILD, binary), *args], {"OMP_NUM_THREADS": str(threads)}).splitlines()[-1])["median_us"]


def median_process_seconds(cmd, repeats):
    """The median wall time of the whole process, its output discarded (a pipe to read it back
    would be timed too)."""
    return median_processes_seconds([cmd], repeats)[0]


def median_processes_seconds(cmds, repeats):
    """The median wall time of each of `cmds`, run in turn `repeats` times (one of each per round,
    so that a slow spell of the machine falls on all of them alike)."""
    times = [[] for _ in cmds]
    for _ in range(repeats):
        for cmd, timed in zip(cmds, times):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            timed.append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def runs_for(seconds_per_call, budget=3.0, least=5, most=5000):
    """How many timed calls fit in `budget` seconds."""
    return int(max(least, min(most, budget / max(seconds_per_call, 1e-7))))


ROUNDS = 3  # each case and its baselines measured this many times, interleaved


def side_by_side(measures, rounds=ROUNDS):
    """Each of `measures` (name -> a function returning microseconds) called `rounds` times in
    turn, the order reversed every other round; the best result of each. On this shared machine
    a slow spell lasts seconds: measured one after the other, a case and its baseline can fall
    on different sides of one (two runs of the same MLP kernel differed 1.7x in one table)."""
    best = {}
    names = list(measures)
    for r in range(rounds):
        for name in (names if r % 2 == 0 else names[::-1]):
            value = measures[name]()
            best[name] = min(best.get(name, value), value)
    return best


class Rows:
    """The benchmark's results: one row per case, with its baselines' times."""

    def __init__(self):
        self.rows = []

    def add(self, case, relaxrun_us, baselines, flops=None, group="", note=None):
        row = {"case": case, "group": group, "relaxrun_us": relaxrun_us,
               "baselines": {k: v for k, v in baselines.items() if v is not None}}
        if flops:
            row["flops"] = flops
        if note:
            row["note"] = note
        self.rows.append(row)
        return row
