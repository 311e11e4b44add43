"""For every module given: relaxc --print-schedule, then the module compiled with that file
(--schedule) and printed after the schedule stage, must equal the module the default schedule
gives. Prints one line per module and a summary; modules that do not compile (tests of errors) are
skipped.
usage: round_trip.py RELAXC_DIR WORKDIR MODULE.tvms|DIRECTORY..."""
import os
import subprocess
import sys

tools, work = sys.argv[1], sys.argv[2]
relaxc = os.path.join(tools, "relaxc")
os.makedirs(work, exist_ok=True)
paths = []
for arg in sys.argv[3:]:  # a directory stands for its .tvms files
    paths += sorted(os.path.join(arg, f) for f in os.listdir(arg) if f.endswith(".tvms")) if os.path.isdir(arg) else [arg]
same = compiled = 0
for path in paths:
    name = os.path.basename(path)
    schedule = os.path.join(work, name + ".schedule.py")
    def run(*args):
        r = subprocess.run([relaxc, path, *args], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"{name}: relaxc {' '.join(args)} failed:\n{r.stderr}")
        return r.stdout
    first = subprocess.run([relaxc, path, "--print-schedule"], capture_output=True, text=True)
    if first.returncode == 1 and "error:" in first.stderr:
        continue  # a test of input errors: nothing to schedule
    compiled += 1
    open(schedule, "w").write(run("--print-schedule"))
    rules = open(schedule).read().count(": rule ")
    default = run("--emit=tvms", "--after=schedule")
    replayed = run("--schedule", schedule, "--emit=tvms", "--after=schedule")
    ok = default == replayed
    same += ok
    print(f"{name}: {rules} kernels by rules, {'same module' if ok else 'DIFFERENT module'}")
print(f"{same} of {compiled} modules the same")
