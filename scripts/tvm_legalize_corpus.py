#!/usr/bin/env python3
"""How many of the modules of TVM's LegalizeOps tests relaxc compiles (on demand, not CI).

Usage: scripts/tvm_legalize_corpus.py TVM_GIT_DIR [RELAXC] [--list] [--summary] [--expected] [--ref REF]
TVM_GIT_DIR is a clone or bare mirror of apache/tvm, read with `git show REF:...` (REF is HEAD
unless --ref names another commit, branch or tag, such as v0.22.0 for the spelling before
T.block became T.sblock). Every class decorated @tvm.script.ir_module / @I.ir_module (with or
without arguments such as s_tir=True) in tests/python/relax/test_transform_legalize_ops_*.py
whose name is not Expected* is an input module; with --expected, the Expected* classes (the
legalized modules the tests compare against) are measured instead. Each module is written to
a temporary .tvms, headed by @I.ir_module with the decorator's own arguments, and compiled
with `relaxc -o`. Prints one line per test file and the total; --list also prints the first
error of each module that fails; --summary groups the failing modules by that first error,
reduced to a short signature (no file:line:col, cut at the first ';', quoted constructs and
operator names masked), and prints the 40 most common groups with their counts, the most
common masked constructs, and one module of each.
"""
import argparse
import ast
import collections
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import time


def git(git_dir, *args):
    return subprocess.run(["git", "--git-dir", git_dir, *args], capture_output=True, text=True, check=True).stdout


def resolve(git_dir, ref):
    """The commit REF names; a tag wins over a branch of the same name (v0.22.0 is both in the mirror)."""
    for candidate in ("refs/tags/" + ref, ref):
        run = subprocess.run(["git", "--git-dir", git_dir, "rev-parse", "--verify", "--quiet", candidate + "^{commit}"],
                             capture_output=True, text=True)
        if run.returncode == 0:
            return run.stdout.strip()
    sys.exit(f"error: {ref!r} names no commit in {git_dir}")


def test_files(git_dir, commit="HEAD"):
    names = git(git_dir, "ls-tree", "--name-only", commit, "tests/python/relax/").split()
    for name in sorted(names):
        base = os.path.basename(name)
        if base.startswith("test_transform_legalize_ops") and base.endswith(".py"):
            yield name, git(git_dir, "show", commit + ":" + name)


def module_decorator(source, node):
    """'@I.ir_module' plus the arguments of the class's ir_module decorator, or None if it has none."""
    for d in node.decorator_list:
        call = d if isinstance(d, ast.Call) else None
        func = call.func if call else d
        text = ast.get_source_segment(source, func) or ""
        if text.endswith("ir_module"):
            if call is None:
                return "@I.ir_module"
            args = (ast.get_source_segment(source, call) or "")[len(text):]
            return "@I.ir_module" + args
    return None


def modules(source, expected=False):
    """(name, text) of each ir_module class: the Expected* ones if expected, else the others.

    With expected, the name is prefixed by the enclosing test function, since nearly every
    test calls its module Expected."""
    tree = ast.parse(source)
    parents = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[child] = node
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef) or node.name.startswith("Expected") != expected:
            continue
        decorator = module_decorator(source, node)
        if decorator is None:
            continue
        name = node.name
        if expected:
            outer = parents.get(node)
            while outer is not None and not isinstance(outer, (ast.FunctionDef, ast.AsyncFunctionDef)):
                outer = parents.get(outer)
            if outer is not None:
                name = outer.name + "::" + name
        text = ast.get_source_segment(source, node, padded=True)
        yield name, decorator + "\n" + textwrap.dedent(text)


def first_error(run):
    if run.returncode < 0 and "error" not in run.stderr:
        return f"relaxc died of signal {-run.returncode}"
    return next((line for line in run.stderr.splitlines() if "error" in line), run.stderr.strip()[:200])


LOCATION = re.compile(r"^.*?:\d+:\d+: ")
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"|`[^`]*`")
OPERATOR = re.compile(r"(?<![@\w.])R\.[A-Za-z_][\w.]*\b(?!\s*\()")  # R.nn.conv1d, not R.Tensor(...)


def collapse_parentheses(text):
    """R.Tuple(R.Tensor((2, 5, 4), dtype="float32")) -> R.Tuple(…); an empty () stays."""
    out, depth, inner = [], 0, 0
    for ch in text:
        if ch == "(":
            depth += 1
            if depth == 1:
                inner = 0
                continue
        elif ch == ")" and depth:
            depth -= 1
            if depth == 0:
                out.append("(…)" if inner else "()")
                continue
        if depth:
            inner += 1
        else:
            out.append(ch)
    return "".join(out) + ("(…" if depth else "")


def signature(message):
    """(signature, detail) of a first error. The signature groups like failures: the text after
    'error: ' (no path:line:col) up to the first unquoted ';', each quoted construct replaced by
    '…', each Relax operator named outside a call by R.<op>, and each non-empty (...) by (…).
    The detail is whichever comes first of the first quoted construct, such as 'R.quantize' of
    "unknown Relax operator 'R.quantize'", and the first operator, such as R.add of "R.add needs
    R.prim_value(...)"."""
    message = LOCATION.sub("", message, count=1)
    if "error: " in message:
        message = message.split("error: ", 1)[1]
    stripped = QUOTED.sub(lambda m: m.group(0)[0] + "…" + m.group(0)[0], message).split(";", 1)[0].strip()
    quoted = QUOTED.search(message)
    detail = quoted.group(0) if quoted and "…" in stripped else None
    operator = OPERATOR.search(stripped)
    if operator:
        first_quote = QUOTED.search(stripped)
        if detail is None or operator.start() < first_quote.start():
            detail = operator.group(0)
        stripped = OPERATOR.sub("R.<op>", stripped)
    short = collapse_parentheses(stripped).strip()
    return (short or message[:80]), detail


def compile_module(relaxc, tvms, out):
    """Run relaxc, retrying for a few minutes while the binary is missing or being rewritten."""
    for attempt in range(10):
        try:
            return subprocess.run([relaxc, tvms, "-o", out], capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            return subprocess.CompletedProcess([relaxc], 1, "", "error: relaxc timed out after 120 s")
        except OSError as e:  # ENOENT / ETXTBSY while another agent relinks build/tools/relaxc
            if attempt == 9:
                raise
            print(f"# {relaxc}: {e}; retrying in 30 s", file=sys.stderr)
            time.sleep(30)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("git_dir", help="clone or bare mirror of apache/tvm")
    parser.add_argument("relaxc", nargs="?", default="relaxc", help="the relaxc binary (default: relaxc on PATH)")
    parser.add_argument("--list", action="store_true", help="print the first error of each module that fails")
    parser.add_argument("--summary", action="store_true", help="group failing modules by first error; print the 40 largest groups")
    parser.add_argument("--expected", action="store_true", help="measure the Expected* (legalized) modules instead of the inputs")
    parser.add_argument("--ref", default="HEAD", help="git ref of TVM to read the tests from (default HEAD)")
    args = parser.parse_args()

    commit = "HEAD" if args.ref == "HEAD" else resolve(args.git_dir, args.ref)
    if args.ref != "HEAD":
        print(f"# TVM {args.ref} = {commit[:12]}")
    kind = "expected" if args.expected else "input"
    total = collections.Counter()
    groups = collections.Counter()
    examples = {}
    details = collections.defaultdict(collections.Counter)
    with tempfile.TemporaryDirectory() as tmp:
        for path, source in test_files(args.git_dir, commit):
            counts = collections.Counter()
            for name, text in modules(source, args.expected):
                tvms = os.path.join(tmp, name.replace("::", ".") + ".tvms")
                with open(tvms, "w") as f:
                    f.write(text)
                run = compile_module(args.relaxc, tvms, os.path.join(tmp, "out.rx"))
                counts["modules"] += 1
                if run.returncode == 0:
                    counts["compile"] += 1
                    continue
                first = first_error(run)
                if args.list:
                    print(f"  {os.path.basename(path)}::{name}: {first.split(': ', 1)[-1]}")
                if args.summary:
                    key, detail = signature(first)
                    groups[key] += 1
                    examples.setdefault(key, f"{os.path.basename(path)}::{name}")
                    if detail:
                        details[key][detail] += 1
            print(f"{os.path.basename(path)}: {counts['compile']} of {counts['modules']}")
            total.update(counts)
    print(f"total: {total['compile']} of {total['modules']} {kind} modules compile")
    if args.summary:
        failing = total["modules"] - total["compile"]
        print(f"\nfailing {kind} modules by first error ({len(groups)} groups, {failing} modules; the 40 largest):")
        for key, count in groups.most_common(40):
            quoted = ", ".join(f"{d} {n}" for d, n in details[key].most_common(4))
            more = len(details[key]) - 4
            quoted += f", +{more} more" if more > 0 else ""
            print(f"{count:5d}  {key}    [{quoted + '; ' if quoted else ''}e.g. {examples[key]}]")


if __name__ == "__main__":
    main()
