"""Checks a relaxc tuning database (check_db.py DB KERNEL...) or rewrites the knobs of every
record (check_db.py DB --set rows_per_tile=4 vectors_per_row=1 parallel=false)."""
import json
import re
import sys

path = sys.argv[1]
db = json.load(open(path))
assert db["format"] == "relaxc-tuning-db" and db["version"] == 1, db
if len(sys.argv) > 2 and sys.argv[2] == "--set":
    for record in db["records"]:
        for item in sys.argv[3:]:
            key, value = item.split("=")
            record[key] = {"true": True, "false": False}.get(value, int(value) if value.isdigit() else value)
    json.dump(db, open(path, "w"), indent=2)
    sys.exit(0)
# The older outer-product tiles' rows x vectors, or a rule's accumulators (0: its default).
candidates = {(r, v) for r in (4, 6, 8, 12) for v in range(1, 5) if r * v + v + 1 <= 32} | {(a, 1) for a in (0, 1, 2, 4, 6, 8, 12, 16)}
print("records:", len(db["records"]))
by_kernel = {r["kernel"]: r for r in db["records"]}
for kernel in sys.argv[2:]:
    r = by_kernel[kernel]
    hex16 = re.fullmatch(r"[0-9a-f]{16}", r["workload"]) is not None
    knobs = (r["rows_per_tile"], r["vectors_per_row"]) in candidates and isinstance(r["parallel"], bool)
    timed = r["median_us"] > 0 and r["default_us"] >= r["median_us"]
    print(f"{kernel}: workload of 16 hex digits," if hex16 else f"{kernel}: bad workload,", f"sizes {r['sizes']},",
          "knobs a candidate," if knobs else "knobs NOT a candidate,", "default measured" if timed else "timings wrong")
