"""The chapter's models on FashionMNIST: the MLP in every form a user writes it (the chapter's
MyModule with weights from --params, bound with --bind-params, the batched MyModule, TVM's
importer form; with and without "num_input") and the CNN with and without "num_input", at batch
1 and at all 4443 test images, against oneDNN (1 thread, and every core for the batch), numpy
and PyTorch. Also the whole relaxrun process against an empty one, relaxc's compile time and
relaxrun's peak memory."""
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np

from common import CORES, OUT, RELAXC, RELAXRUN, ROOT, median_process_seconds, median_processes_seconds, onednn_us, relaxc, relaxrun_us, side_by_side

PARAMS = os.path.join(ROOT, "examples", "mlp_params.npz")
CNN_PARAMS = os.path.join(ROOT, "testdata", "Inputs", "fashion_mnist", "cnn_params.npz")
NUM_INPUT = '        R.func_attr({"num_input": 1})\n'


def with_num_input(text, wanted):
    """The module's text with main's R.func_attr({"num_input": 1}) added or removed."""
    text = text.replace(NUM_INPUT, "")
    if not wanted:
        return text
    header = re.search(r"    def main\(.*?\)(?: -> [^\n]*)?:\n(        [a-z_]+ = T\.int64\(\)\n)*", text, re.S)
    return text[:header.end()] + NUM_INPUT + text[header.end():]


def module_variant(source, name, num_input):
    path = os.path.join(OUT, name + ".tvms")
    with open(source) as f:
        text = with_num_input(f.read(), num_input)
    with open(path, "w") as f:
        f.write(text)
    return path


def numpy_mlp_us(x, p, runs):
    w0t, w1t = np.ascontiguousarray(p["w0"].T), np.ascontiguousarray(p["w1"].T)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        np.maximum(x @ w0t + p["b0"], 0) @ w1t + p["b1"]
        times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times)


def torch_mlp_us(x, p, runs):
    import torch
    torch.set_num_threads(1)
    tx = torch.from_numpy(x)
    w0, b0, w1, b1 = (torch.from_numpy(p[k]) for k in ("w0", "b0", "w1", "b1"))
    times = []
    with torch.no_grad():
        for _ in range(runs):
            start = time.perf_counter()
            torch.nn.functional.linear(torch.relu(torch.nn.functional.linear(tx, w0, b0)), w1, b1)
            times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times)


def mlp_forms():
    """(name, source, num_input) for every form of the MLP that takes a batch."""
    importer = os.path.join(ROOT, "bench", "mlp_importer.tvms")
    batched = os.path.join(ROOT, "testdata", "e2e", "mlp_batched.tvms")
    return [("batched MyModule, num_input", batched, True), ("batched MyModule, no num_input", batched, False),
            ("importer form, no num_input", importer, False), ("importer form, num_input", importer, True)]


def mlp_cases(rows, images, one, paths):
    p = dict(np.load(PARAMS))
    mlp_flops = lambda n: 2 * n * (784 * 128 + 128 * 10)  # noqa: E731
    n = len(images)
    one_base = {"oneDNN": lambda: onednn_us("onednn_mlp", [PARAMS, paths["one"], "1", "2000"], 1),
                "numpy": lambda: numpy_mlp_us(one, p, 1000), "PyTorch": lambda: torch_mlp_us(one, p, 1000)}
    batch_base = {"oneDNN 1 thread": lambda: onednn_us("onednn_mlp", [PARAMS, paths["batch"], str(n), "10"], 1),
                  f"oneDNN {CORES} threads": lambda: onednn_us("onednn_mlp", [PARAMS, paths["batch"], str(n), "10"], CORES),
                  "numpy": lambda: numpy_mlp_us(images, p, 3), "PyTorch": lambda: torch_mlp_us(images, p, 3)}
    mlp = os.path.join(ROOT, "examples", "mlp.tvms")
    chapter_rx, bound_rx = os.path.join(OUT, "mlp.rx"), os.path.join(OUT, "mlp_bound.rx")
    relaxc(mlp, chapter_rx)
    relaxc(mlp, bound_rx, "--bind-params", PARAMS)
    one_cases = {"MLP b1: chapter's MyModule, --params": lambda: relaxrun_us(chapter_rx, [paths["one"]], PARAMS, 2000),
                 "MLP b1: MyModule bound (--bind-params)": lambda: relaxrun_us(bound_rx, [paths["one"]], None, 2000)}
    batch_cases = {}
    for index, (name, source, num_input) in enumerate(mlp_forms()):
        rx = os.path.join(OUT, "mlp_form%d.rx" % index)
        relaxc(module_variant(source, "mlp_form%d" % index, num_input), rx)
        one_cases["MLP b1: " + name] = lambda rx=rx: relaxrun_us(rx, [paths["one"]], PARAMS, 2000)
        batch_cases["MLP b%d: %s" % (n, name)] = lambda rx=rx: relaxrun_us(rx, [paths["batch"]], PARAMS, 10)
    best_one = side_by_side({**one_base, **one_cases})
    best_batch = side_by_side({**batch_base, **batch_cases})
    base1, basen = {k: best_one[k] for k in one_base}, {k: best_batch[k] for k in batch_base}
    labels = list(one_cases)
    for label in labels[:2]:
        rows.add(label, best_one[label], base1, mlp_flops(1), "MLP")
    for one_label, batch_label in zip(labels[2:], batch_cases):
        rows.add(one_label, best_one[one_label], base1, mlp_flops(1), "MLP")
        rows.add(batch_label, best_batch[batch_label], basen, mlp_flops(n), "MLP")


def numpy_cnn_us(x, p, runs):
    """The CNN in numpy: the convolution as 9 shifted multiply-adds, pooling by reshaping."""
    w, b = p["conv2d_weight"][:, 0], p["conv2d_bias"]
    w0t, w1t = np.ascontiguousarray(p["linear0_weight"].T), np.ascontiguousarray(p["linear1_weight"].T)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        img = x[:, 0]
        conv = np.zeros((len(x), 32, 26, 26), np.float32)
        for dy in range(3):
            for dx in range(3):
                conv += w[None, :, dy, dx, None, None] * img[:, None, dy:dy + 26, dx:dx + 26]
        conv = np.maximum(conv + b[None, :, None, None], 0)
        pooled = conv.reshape(len(x), 32, 13, 2, 13, 2).max(axis=(3, 5)).reshape(len(x), -1)
        np.maximum(pooled @ w0t + p["linear0_bias"], 0) @ w1t + p["linear1_bias"]
        times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times)


def cnn_cases(rows, images):
    paths = {"batch": os.path.join(OUT, "cnn_images.npy"), "one": os.path.join(OUT, "cnn_img.npy")}
    np.save(paths["batch"], images.reshape(-1, 1, 28, 28))
    np.save(paths["one"], images[2437:2438].reshape(1, 1, 28, 28))
    cp = dict(np.load(CNN_PARAMS))
    n = len(images)
    cnn_flops = lambda b: 2 * b * (32 * 26 * 26 * 9 + 5408 * 100 + 100 * 10)  # noqa: E731
    one, batch = np.load(paths["one"]), np.load(paths["batch"])
    one_base = {"oneDNN": lambda: onednn_us("onednn_cnn", [CNN_PARAMS, paths["one"], "1", "1000"], 1),
                "numpy": lambda: numpy_cnn_us(one, cp, 200)}
    batch_base = {"oneDNN 1 thread": lambda: onednn_us("onednn_cnn", [CNN_PARAMS, paths["batch"], str(n), "4"], 1),
                  f"oneDNN {CORES} threads": lambda: onednn_us("onednn_cnn", [CNN_PARAMS, paths["batch"], str(n), "4"], CORES),
                  "numpy": lambda: numpy_cnn_us(batch, cp, 1)}
    source = os.path.join(ROOT, "testdata", "e2e", "cnn_high_level.tvms")
    one_cases, batch_cases = {}, {}
    for num_input in (True, False):
        name = "cnn_num_input" if num_input else "cnn_no_num_input"
        rx = os.path.join(OUT, name + ".rx")
        relaxc(module_variant(source, name, num_input), rx)
        label = "num_input" if num_input else "no num_input"
        one_cases["CNN b1, " + label] = lambda rx=rx: relaxrun_us(rx, [paths["one"]], CNN_PARAMS, 1000)
        batch_cases["CNN b%d, %s" % (n, label)] = lambda rx=rx: relaxrun_us(rx, [paths["batch"]], CNN_PARAMS, 4)
    best_one = side_by_side({**one_base, **one_cases})
    best_batch = side_by_side({**batch_base, **batch_cases})
    base1, basen = {k: best_one[k] for k in one_base}, {k: best_batch[k] for k in batch_base}
    for one_label, batch_label in zip(one_cases, batch_cases):
        rows.add(one_label, best_one[one_label], base1, cnn_flops(1), "CNN")
        rows.add(batch_label, best_batch[batch_label], basen, cnn_flops(n), "CNN")


def process_cases(rows, images, paths):
    """The whole relaxrun process against an empty one; relaxc's time; relaxrun's memory."""
    mlp_rx, out_npy = os.path.join(OUT, "mlp.rx"), os.path.join(OUT, "logits.npy")
    script = os.path.join(OUT, "numpy_mlp.py")
    with open(script, "w") as f:
        f.write("import numpy as np, sys\np = np.load(sys.argv[2]); x = np.load(sys.argv[1])\n"
                "np.save(sys.argv[3], np.maximum(x @ p['w0'].T + p['b0'], 0) @ p['w1'].T + p['b1'])\n")
    # Interleaved, 100 rounds: the whole process takes about a millisecond here and the machine's
    # speed drifts by more than the difference being measured. Page faults are expensive in this
    # kind of VM, so even /bin/true takes 0.5-0.9 ms.
    relax_proc, empty_proc = median_processes_seconds(
        [[RELAXRUN, mlp_rx, "--input", paths["one"], "--params", PARAMS, "--output", out_npy], ["/bin/true"]], 100)
    numpy_proc = median_process_seconds([sys.executable, script, paths["one"], PARAMS, out_npy], 10)
    rows.add("whole process: load, read inputs, run once, write .npy", relax_proc * 1e6,
             {"numpy script": numpy_proc * 1e6, "empty process (/bin/true)": empty_proc * 1e6}, group="process")
    batched_rx = os.path.join(OUT, "mlp_form0.rx")
    timed = subprocess.run(["/usr/bin/time", "-f", "%M", RELAXRUN, batched_rx, "--input", paths["batch"], "--params", PARAMS, "--output", out_npy],
                           capture_output=True, text=True, check=True)
    peak_kb = int(timed.stderr.strip().splitlines()[-1])
    p = dict(np.load(PARAMS))
    data_kb = (images.nbytes + sum(v.nbytes for v in p.values()) + len(images) * 10 * 4) / 1024
    compile_s = median_process_seconds([RELAXC, os.path.join(ROOT, "examples", "mlp.tvms"), "-o", mlp_rx], 5)
    return {"relaxc_mlp_ms": compile_s * 1e3, "relaxrun_peak_mb": peak_kb / 1024, "peak_over_data": peak_kb / data_kb}


def small_cases(rows):
    images_u8 = np.load(os.path.join(ROOT, "testdata", "Inputs", "fashion_mnist", "test_images_u8.npz"))["images"]
    images = (images_u8.reshape(len(images_u8), -1) / 255).astype(np.float32)
    one = images[2437:2438].copy()
    paths = {"batch": os.path.join(OUT, "images.npy"), "one": os.path.join(OUT, "img.npy")}
    np.save(paths["batch"], images)
    np.save(paths["one"], one)
    mlp_cases(rows, images, one, paths)
    cnn_cases(rows, images)
    return process_cases(rows, images, paths)

