"""Runs the shell examples of one section of the README and compares what the tools print with
what the README shows, so the README cannot drift from the tools.

A block is the indented lines after a blank line; a line starting with `$ ` is a command (a
trailing backslash continues it on the next line), the lines after it up to the next command
are its expected standard output, where a line `...` stands for any number of lines. An output
whose first line is an error is compared with the command's standard error, and the command
must fail. Blank
lines are not compared (an indented block cannot show them), and numbers are compared to 1e-5
relative, so that a result's last digit may differ on another CPU (another order of additions). The output of a command that times (--profile, --benchmark) is
compared with every number and run of spaces alike, so what it shows is its form: the rows,
names, lines and shapes, not this machine's times; rows after the first two lines may come in
any order (they sort by time). Commands run in a scratch directory that links the source
tree's testdata/ and examples/ and the build tree as build/, with relaxc and relaxrun taken
from the build.

usage: readme_blocks.py README.md "Section title" BIN_DIR
"""
import os
import re
import subprocess
import sys
import tempfile


def section_lines(readme, title):
    lines = open(readme, encoding="utf-8").read().split("\n")
    start = next((i for i, l in enumerate(lines) if re.match(r"#+ " + re.escape(title) + "$", l)), None)
    if start is None:
        sys.exit(f"{readme}: no section titled '{title}'")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("#")), len(lines))
    return lines[start + 1:end]


def examples(lines):
    """(command, expected lines) in order."""
    out = []
    continued = False
    for line in lines:
        if not line.startswith("    "):
            continue
        text = line[4:]
        if continued:
            out[-1] = (out[-1][0][:-1] + " " + text.strip(), out[-1][1])
        elif text.startswith("$ "):
            out.append((text[2:], []))
        elif out and text.strip():
            out[-1][1].append(text)
        continued = bool(out) and not out[-1][1] and out[-1][0].endswith("\\")
    return out


NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


def tokens(line):
    return re.findall(r"[^\s\[\](),]+|[\[\](),]", line)


def close_enough(a, b):
    """The same line, or the same tokens with numbers within 1e-5 relative."""
    if a.rstrip() == b.rstrip():
        return True
    ta, tb = tokens(a), tokens(b)
    if len(ta) != len(tb):
        return False
    for x, y in zip(ta, tb):
        if x == y:
            continue
        if not (NUMBER.match(x) and NUMBER.match(y)):
            return False
        fx, fy = float(x), float(y)
        if abs(fx - fy) > 1e-5 * max(1.0, abs(fx), abs(fy)):
            return False
    return True


def without_times(line):
    return re.sub(r"\s+", " ", re.sub(r"[0-9]+(\.[0-9]+)?", "N", line)).strip()


def matches(expected, actual, same=close_enough):
    """Whether `actual` lines fit `expected`, where '...' matches any run of lines."""
    if not expected:
        return not actual
    if expected[0].strip() == "...":
        return any(matches(expected[1:], actual[i:], same) for i in range(len(actual) + 1))
    return bool(actual) and same(expected[0], actual[0]) and matches(expected[1:], actual[1:], same)


def timed(command):
    return "--profile" in command or "--benchmark" in command


def timed_matches(expected, actual):
    """A timed output: numbers and spacing aside, its first two lines (a profile's title and
    header) in order, then each row the README shows somewhere among the rest, since rows sort
    by time and close ones swap (more so in a sanitizer build); `...` allows rows not shown."""
    shown = [without_times(l) for l in expected if l.strip() != "..."]
    got = [without_times(l) for l in actual]
    if got[:2] != shown[:2] or (len(shown) != len(got) and len(shown) == len(expected)):
        return False
    rest = got[2:]
    for line in shown[2:]:
        if line not in rest:
            return False
        rest.remove(line)
    return True


def main():
    readme, title, bin_dir = sys.argv[1:4]
    source = os.path.dirname(os.path.abspath(readme))
    found = examples(section_lines(readme, title))
    if not found:
        sys.exit(f"{readme}: section '{title}' shows no commands")
    env = dict(os.environ, PATH=os.path.abspath(bin_dir) + os.pathsep + os.environ["PATH"])
    failures = 0
    with tempfile.TemporaryDirectory() as scratch:
        for name in ("testdata", "examples"):
            os.symlink(os.path.join(source, name), os.path.join(scratch, name))
        # build/ is the build tree the tools came from (its plugins, as the README names them).
        os.symlink(os.path.dirname(os.path.abspath(bin_dir)), os.path.join(scratch, "build"))
        for command, expected in found:
            run = subprocess.run(command, shell=True, cwd=scratch, env=env, capture_output=True, text=True)
            actual = [l for l in run.stdout.split("\n") if l.strip()]
            # An error the README shows (its first line says so): compared with what went to
            # stderr, and the command must fail.
            shows_error = bool(expected) and "error:" in expected[0]
            if shows_error:
                actual = [l for l in run.stderr.split("\n") if l.strip()] if run.returncode != 0 else ["(it succeeded)"]
            same = close_enough
            fits = timed_matches(expected, actual) if timed(command) else matches(expected, actual, same)
            if (run.returncode != 0 and not shows_error) or not fits:
                failures += 1
                print(f"README '{title}': $ {command}\n  exit {run.returncode}; expected:\n" +
                      "\n".join("    " + l for l in expected) + "\n  printed:\n" +
                      "\n".join("    " + l for l in actual) + "\n  stderr:\n" + run.stderr)
    print(f"{len(found)} commands, {failures} differ")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
