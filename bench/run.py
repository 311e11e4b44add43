"""The benchmarks (see bench/run.sh): the machine's multiply-add peak, the chapter's MLP and CNN
in every form (small_cases.py) and real models (model_cases.py), each against its baselines in
this one run; a table on stdout, bench/out/results.{json,png}.
    bench/run.sh [--only small|models]"""
import argparse
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

from common import BUILD, OUT, Rows, run  # noqa: E402
import model_cases  # noqa: E402
import report  # noqa: E402
import small_cases  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["small", "models"], help="run only these cases")
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    peak = json.loads(run([os.path.join(BUILD, "fma_peak"), "0.5"]))
    rows, extras = Rows(), {}
    if args.only != "models":
        extras.update(small_cases.small_cases(rows))
    if args.only != "small":
        extras.update(model_cases.model_cases(rows))
    report.write(rows.rows, peak, extras)


if __name__ == "__main__":
    main()
