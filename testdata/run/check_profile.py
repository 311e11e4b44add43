"""Checks relaxrun --profile's JSON and Chrome-trace output for the chapter's CNN
(testdata/e2e/cnn_high_level.tvms) at batch B: every kernel's operation count against one
computed here from the layer shapes, the rows adding up to the measured call time within 10%,
and the trace being trace-event JSON with one complete event per call.
    check_profile.py PROFILE.json CALLS TRACE.json TRACE_CALLS B"""
import json
import sys

profile_path, calls, trace_path, trace_calls, batch = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])

# conv2d 1->32 channels, 3x3, 28x28 -> 26x26: a multiply and an add per tap; then the bias add,
# relu (a max) and 2x2 max pooling (4 maxes per output); linear 5408->100 (+ bias, relu) and
# 100->10 (+ bias).
conv = 2 * 32 * 26 * 26 * 9 + 32 * 26 * 26 + 32 * 26 * 26 + 32 * 13 * 13 * 4
linear0 = 2 * 5408 * 100 + 100 + 100
linear1 = 2 * 100 * 10 + 10
expected = {26: batch * conv, 33: batch * linear0, 37: batch * linear1}

profile = json.load(open(profile_path))
assert profile["calls"] == calls, profile["calls"]
kernels = [r for r in profile["rows"] if r["kind"] == "kernel"]
assert sorted(r["line"] for r in kernels) == sorted(expected), [(r["name"], r.get("line")) for r in kernels]
for row in kernels:
    assert row["flops"] == expected[row["line"]], (row["name"], row["flops"], expected[row["line"]])
    assert row["calls"] == calls and row["gflops_per_s"] > 0 and row["gbytes_per_s"] > 0, row
builtins = [r for r in profile["rows"] if r["kind"] == "builtin"]
assert builtins and all("flops" not in r for r in builtins), builtins
total = sum(r["total_us"] for r in profile["rows"]) / calls
assert abs(total - profile["rows_us"]) <= 1e-3 * profile["rows_us"] + 0.01, (total, profile["rows_us"])
assert 0.9 * profile["call_us"] <= profile["rows_us"] <= profile["call_us"], (profile["rows_us"], profile["call_us"])
assert abs(sum(r["share"] for r in profile["rows"]) - profile["rows_us"] / profile["call_us"]) < 0.01

trace = json.load(open(trace_path))
events = trace["traceEvents"]
for e in events:
    assert e["ph"] == "X" and isinstance(e["ts"], (int, float)) and e["dur"] >= 0 and e["pid"] == 1 and e["tid"] == 1, e
assert sum(1 for e in events if e["name"] == "@main") == trace_calls
for line in expected:
    assert sum(1 for e in events if e["cat"] == "kernel" and e["args"].get("line") == line) == trace_calls, line
print("profile OK: %d kernels, rows %.1f%% of the call" % (len(kernels), 100 * profile["rows_us"] / profile["call_us"]))
