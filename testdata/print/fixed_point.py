"""Checks that printing is a fixed point for every .tvms under a directory that compiles."""
import os
import subprocess
import sys

root = sys.argv[1]
checked, failures = 0, 0
for folder, _, files in os.walk(root):
    for name in sorted(files):
        if not name.endswith(".tvms"):
            continue
        path = os.path.join(folder, name)
        first = subprocess.run(["relaxc", path, "--emit=tvms"], capture_output=True)
        if first.returncode != 0:
            continue  # an error test: nothing to print
        second = subprocess.run(["relaxc", "-", "--emit=tvms"], input=first.stdout, capture_output=True) \
            if False else None
        tmp = os.environ.get("TMPDIR", "/tmp")
        once = os.path.join(tmp, "relaxc_fixed_point_%d.tvms" % os.getpid())
        with open(once, "wb") as f:
            f.write(first.stdout)
        second = subprocess.run(["relaxc", once, "--emit=tvms"], capture_output=True)
        os.remove(once)
        checked += 1
        if second.returncode != 0 or second.stdout != first.stdout:
            failures += 1
            print("not a fixed point: " + path)
            sys.stdout.write(second.stderr.decode())
print("fixed point: %d files, %d failures" % (checked, failures))
