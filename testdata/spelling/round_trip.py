"""For each .tvms given, checks that printing it in TVM's current spelling is a fixed point and
that reading that text back prints the chapter's spelling exactly as printing the original does:
round_trip.py OUT_DIR FILE.tvms... (relaxc from PATH). Exits 1 naming the first difference."""
import os
import subprocess
import sys


def relaxc(*args):
    run = subprocess.run(["relaxc", *args, "--emit=tvms"], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit("relaxc %s failed:\n%s" % (" ".join(args), run.stderr))
    return run.stdout


out_dir = sys.argv[1]
for path in sys.argv[2:]:
    name = os.path.splitext(os.path.basename(path))[0]
    current = relaxc(path, "--spelling=current")
    current_path = os.path.join(out_dir, name + ".current.tvms")
    with open(current_path, "w") as f:
        f.write(current)
    if relaxc(current_path, "--spelling=current") != current:
        sys.exit(name + ": the current spelling is not a fixed point")
    if relaxc(current_path) != relaxc(path):
        sys.exit(name + ": read back from the current spelling, the chapter's spelling differs")
    print(name + ": ok")
