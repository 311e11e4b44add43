#!/usr/bin/env python3
"""How many of the input modules of TVM's LegalizeOps tests relaxc compiles (on demand, not CI).

Usage: scripts/tvm_legalize_corpus.py TVM_GIT_DIR [RELAXC] [--list]
TVM_GIT_DIR is a clone or bare mirror of apache/tvm (read with `git show HEAD:...`). Every
class decorated @tvm.script.ir_module / @I.ir_module in tests/python/relax/
test_transform_legalize_ops_*.py whose name is not Expected* is an input module; each is
written to a temporary .tvms and compiled with `relaxc -o`. Prints one line per test file and
the total; --list also prints the first error of each module that fails.
"""
import ast
import collections
import os
import subprocess
import sys
import tempfile
import textwrap


def test_files(git_dir):
    names = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "--name-only", "HEAD", "tests/python/relax/"],
                           capture_output=True, text=True, check=True).stdout.split()
    for name in sorted(names):
        base = os.path.basename(name)
        if base.startswith("test_transform_legalize_ops") and base.endswith(".py"):
            yield name, subprocess.run(["git", "--git-dir", git_dir, "show", "HEAD:" + name], capture_output=True, text=True, check=True).stdout


def input_modules(source):
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef) or node.name.startswith("Expected"):
            continue
        decorators = [ast.get_source_segment(source, d) or "" for d in node.decorator_list]
        if any(d.endswith("ir_module") for d in decorators):
            text = ast.get_source_segment(source, node, padded=True)
            yield node.name, "@I.ir_module\n" + textwrap.dedent(text)


def main():
    git_dir = sys.argv[1]
    relaxc = sys.argv[2] if len(sys.argv) > 2 and not sys.argv[2].startswith("--") else "relaxc"
    show = "--list" in sys.argv
    total = collections.Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for path, source in test_files(git_dir):
            counts = collections.Counter()
            for name, text in input_modules(source):
                tvms = os.path.join(tmp, name + ".tvms")
                with open(tvms, "w") as f:
                    f.write(text)
                run = subprocess.run([relaxc, tvms, "-o", os.path.join(tmp, "out.rx")], capture_output=True, text=True, timeout=120)
                counts["modules"] += 1
                if run.returncode == 0:
                    counts["compile"] += 1
                elif show:
                    first = next((line for line in run.stderr.splitlines() if "error" in line), run.stderr.strip()[:200])
                    print(f"  {os.path.basename(path)}::{name}: {first.split(': ', 1)[-1]}")
            print(f"{os.path.basename(path)}: {counts['compile']} of {counts['modules']}")
            total.update(counts)
    print(f"total: {total['compile']} of {total['modules']} input modules compile")


if __name__ == "__main__":
    main()
