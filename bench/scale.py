"""How relaxc scales with the size of its input (issue 19): --emit=check and -o on a base module
and on 2, 4, 8 and 16 times it (bench/make_large_module.py), each timed with its peak memory
(GNU time), and the ratios to the base, so that growth faster than linear shows as a ratio
above the size's.

usage: bench/scale.py [--base-mb 0.25] [--relaxc build/tools/relaxc] [--out DIR] [--no-compile]"""
import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def measure(command):
    """(seconds, peak MB) of one run; exits naming the command if it fails."""
    run = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M"] + command, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{run.stderr[-2000:]}")
    seconds, kilobytes = re.findall(r"TIME ([\d.]+) (\d+)", run.stderr)[-1]
    return float(seconds), int(kilobytes) / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-mb", type=float, default=0.25)
    parser.add_argument("--relaxc", default=os.path.join(HERE, "..", "build", "tools", "relaxc"))
    parser.add_argument("--out", default=os.path.join(HERE, "out", "scale"))
    parser.add_argument("--no-compile", action="store_true", help="time --emit=check only")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rows, base = [], None
    for factor in (1, 2, 4, 8, 16):
        source = os.path.join(args.out, f"x{factor}.tvms")
        subprocess.run([sys.executable, os.path.join(HERE, "make_large_module.py"), str(args.base_mb * factor), source], check=True, capture_output=True)
        check = measure([args.relaxc, source, "--emit=check"])
        build = None if args.no_compile else measure([args.relaxc, source, "-o", source[:-5] + ".rx"])
        base = base or (check, build)
        rows.append((factor, check, build))
    print(f"relaxc on {args.base_mb} MB x N (ratios to N=1 in brackets)")
    print(f"{'N':>3} {'check s':>14} {'check MB':>16} {'-o s':>14} {'-o MB':>16}")
    for factor, check, build in rows:
        cells = [f"{check[0]:7.2f} ({check[0] / base[0][0]:4.1f}x)", f"{check[1]:8.0f} ({check[1] / base[0][1]:4.1f}x)"]
        if build:
            cells += [f"{build[0]:7.2f} ({build[0] / base[1][0]:4.1f}x)", f"{build[1]:8.0f} ({build[1] / base[1][1]:4.1f}x)"]
        print(f"{factor:>3} " + " ".join(f"{c:>15}" for c in cells))


if __name__ == "__main__":
    main()
