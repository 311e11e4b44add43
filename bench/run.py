"""The MLP and CNN benchmarks (see bench/run.sh). Every number comes from this run; ratios are
baseline time / relaxrun time (above 1: relaxrun is faster)."""
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
BUILD = os.path.join(ROOT, "build")
RELAXC = os.path.join(BUILD, "tools", "relaxc")
RELAXRUN = os.path.join(BUILD, "tools", "relaxrun")
ONEDNN = os.path.join(BUILD, "onednn_mlp")
ONEDNN_CNN = os.path.join(BUILD, "onednn_cnn")
PARAMS = os.path.join(ROOT, "examples", "mlp_params.npz")
CNN_PARAMS = os.path.join(ROOT, "testdata", "Inputs", "fashion_mnist", "cnn_params.npz")
CNN_MODULE = os.path.join(ROOT, "testdata", "e2e", "cnn_high_level.tvms")
CORES = os.cpu_count() or 1


def run(cmd, env=None):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env={**os.environ, **(env or {})}).stdout


def median_process_seconds(cmd, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def numpy_us(x, p, runs):
    w0t, w1t = np.ascontiguousarray(p["w0"].T), np.ascontiguousarray(p["w1"].T)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        np.maximum(x @ w0t + p["b0"], 0) @ w1t + p["b1"]
        times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times)


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


def torch_us(x, p, runs):
    try:
        import torch
    except ImportError:
        return None
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


def main():
    os.makedirs(OUT, exist_ok=True)
    images_u8 = np.load(os.path.join(ROOT, "testdata", "Inputs", "fashion_mnist", "test_images_u8.npz"))["images"]
    images = (images_u8.reshape(len(images_u8), -1) / 255).astype(np.float32)
    one = images[2437:2438].copy()
    paths = {"batch": os.path.join(OUT, "images.npy"), "one": os.path.join(OUT, "img.npy")}
    np.save(paths["batch"], images)
    np.save(paths["one"], one)
    p = dict(np.load(PARAMS))
    mlp_rx, batched_rx = os.path.join(OUT, "mlp.rx"), os.path.join(OUT, "mlp_batched.rx")
    run([RELAXC, os.path.join(ROOT, "examples", "mlp.tvms"), "-o", mlp_rx])
    run([RELAXC, os.path.join(ROOT, "testdata", "e2e", "mlp_batched.tvms"), "-o", batched_rx])

    rows = []

    def bench(name, batch, relax_us, baselines):
        rows.append({"case": name, "batch": batch, "relaxrun_us": relax_us,
                     "baselines": {k: v for k, v in baselines.items() if v is not None}})

    # Batch 1 in the chapter's two forms: weights bound into the module (BindParams, as oneDNN's
    # primitive knows its shapes and has its weights reordered beforehand), and MyModule taking
    # them as arguments with every size symbolic (nothing can be specialized or packed).
    bound_rx = os.path.join(OUT, "mlp_bound.rx")
    run([RELAXC, os.path.join(ROOT, "examples", "mlp.tvms"), "--bind-params", PARAMS, "-o", bound_rx])
    rb1 = json.loads(run([RELAXRUN, bound_rx, "--input", paths["one"], "--benchmark", "5000", "--format", "json"]))
    r1 = json.loads(run([RELAXRUN, mlp_rx, "--input", paths["one"], "--params", PARAMS, "--benchmark", "5000", "--format", "json"]))
    d1 = json.loads(run([ONEDNN, PARAMS, paths["one"], "1", "5000"], {"OMP_NUM_THREADS": "1"}))
    numpy1, torch1 = numpy_us(one, p, 3000), torch_us(one, p, 3000)
    bench("MLP batch 1, weights bound (per call)", 1, rb1["median_us"], {"oneDNN": d1["median_us"], "numpy": numpy1, "PyTorch": torch1})
    bench("MLP batch 1, MyModule: weights as arguments (per call)", 1, r1["median_us"], {"oneDNN": d1["median_us"], "numpy": numpy1, "PyTorch": torch1})
    rb = json.loads(run([RELAXRUN, batched_rx, "--input", paths["batch"], "--params", PARAMS, "--benchmark", "20", "--format", "json"]))
    db1 = json.loads(run([ONEDNN, PARAMS, paths["batch"], str(len(images)), "20"], {"OMP_NUM_THREADS": "1"}))
    dbn = json.loads(run([ONEDNN, PARAMS, paths["batch"], str(len(images)), "20"], {"OMP_NUM_THREADS": str(CORES)}))
    bench(f"MLP batch {len(images)} (per call)", len(images), rb["median_us"],
          {"oneDNN 1 thread": db1["median_us"], f"oneDNN {CORES} threads": dbn["median_us"],
           "numpy": numpy_us(images, p, 5), "PyTorch": torch_us(images, p, 5)})

    cnn_rx = os.path.join(OUT, "cnn.rx")
    run([RELAXC, CNN_MODULE, "-o", cnn_rx])
    cnn_paths = {"batch": os.path.join(OUT, "cnn_images.npy"), "one": os.path.join(OUT, "cnn_img.npy")}
    np.save(cnn_paths["batch"], images.reshape(-1, 1, 28, 28))
    np.save(cnn_paths["one"], one.reshape(1, 1, 28, 28))
    cp = dict(np.load(CNN_PARAMS))
    c1 = json.loads(run([RELAXRUN, cnn_rx, "--input", cnn_paths["one"], "--params", CNN_PARAMS, "--benchmark", "2000", "--format", "json"]))
    dc1 = json.loads(run([ONEDNN_CNN, CNN_PARAMS, cnn_paths["one"], "1", "2000"], {"OMP_NUM_THREADS": "1"}))
    bench("CNN batch 1 (per call)", 1, c1["median_us"],
          {"oneDNN": dc1["median_us"], "numpy": numpy_cnn_us(one.reshape(1, 1, 28, 28), cp, 500)})
    cb = json.loads(run([RELAXRUN, cnn_rx, "--input", cnn_paths["batch"], "--params", CNN_PARAMS, "--benchmark", "10", "--format", "json"]))
    dcb1 = json.loads(run([ONEDNN_CNN, CNN_PARAMS, cnn_paths["batch"], str(len(images)), "10"], {"OMP_NUM_THREADS": "1"}))
    dcbn = json.loads(run([ONEDNN_CNN, CNN_PARAMS, cnn_paths["batch"], str(len(images)), "10"], {"OMP_NUM_THREADS": str(CORES)}))
    bench(f"CNN batch {len(images)} (per call)", len(images), cb["median_us"],
          {"oneDNN 1 thread": dcb1["median_us"], f"oneDNN {CORES} threads": dcbn["median_us"],
           "numpy": numpy_cnn_us(images.reshape(-1, 1, 28, 28), cp, 3)})

    out_npy = os.path.join(OUT, "logits.npy")
    script = os.path.join(OUT, "numpy_mlp.py")
    with open(script, "w") as f:
        f.write("import numpy as np, sys\np = np.load(sys.argv[2]); x = np.load(sys.argv[1])\n"
                "np.save(sys.argv[3], np.maximum(x @ p['w0'].T + p['b0'], 0) @ p['w1'].T + p['b1'])\n")
    relax_proc = median_process_seconds([RELAXRUN, mlp_rx, "--input", paths["one"], "--params", PARAMS, "--output", out_npy], 20)
    numpy_proc = median_process_seconds([sys.executable, script, paths["one"], PARAMS, out_npy], 10)
    # What starting any process costs here (page faults are expensive in this kind of VM).
    empty_proc = median_process_seconds(["/bin/true"], 20)
    bench("whole process: load, read inputs, run once, write .npy", 1, relax_proc * 1e6,
          {"numpy script": numpy_proc * 1e6, "empty process (/bin/true)": empty_proc * 1e6})
    compile_s = median_process_seconds([RELAXC, os.path.join(ROOT, "examples", "mlp.tvms"), "-o", mlp_rx], 5)

    timed = subprocess.run(["/usr/bin/time", "-f", "%M", RELAXRUN, batched_rx, "--input", paths["batch"], "--params", PARAMS, "--output", out_npy],
                           capture_output=True, text=True, check=True)
    peak_kb = int(timed.stderr.strip().splitlines()[-1])
    data_kb = (images.nbytes + sum(v.nbytes for v in p.values()) + len(images) * 10 * 4) / 1024

    print(f"{'case':58} {'relaxrun':>12}  baselines (time, ratio baseline/relaxrun)")
    for row in rows:
        parts = [f"{k} {v:.1f} us ({v / row['relaxrun_us']:.2f}x)" for k, v in row["baselines"].items()]
        print(f"{row['case']:58} {row['relaxrun_us']:10.1f} us  " + ", ".join(parts))
    print(f"{'relaxc on MyModule (whole process)':58} {compile_s * 1e3:10.1f} ms")
    print(f"{'relaxrun peak memory, batch 4443':58} {peak_kb / 1024:10.1f} MB  ({peak_kb / data_kb:.2f}x inputs + weights + outputs)")
    results = {"cores": CORES, "rows": rows, "relaxc_ms": compile_s * 1e3, "relaxrun_peak_mb": peak_kb / 1024,
               "peak_over_data": peak_kb / data_kb}
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        cols = 3
        fig, axes = plt.subplots((len(rows) + cols - 1) // cols, cols, figsize=(5 * cols, 4 * ((len(rows) + cols - 1) // cols)))
        axes = axes.flatten()
        for ax in axes[len(rows):]:
            ax.axis("off")
        for ax, row in zip(axes, rows):
            names = ["relaxrun"] + list(row["baselines"])
            values = [row["relaxrun_us"]] + list(row["baselines"].values())
            ax.bar(names, values, color=["tab:green"] + ["tab:gray"] * (len(names) - 1))
            ax.set_yscale("log")
            ax.set_ylabel("microseconds (log)")
            ax.set_title(row["case"], fontsize=9)
            ax.tick_params(axis="x", rotation=30, labelsize=8)
        fig.tight_layout()
        fig.savefig(os.path.join(OUT, "results.png"), dpi=100)
    except ImportError:
        print("matplotlib is not installed: no chart")
    print(f"written: {os.path.join(OUT, 'results.json')} and results.png")


if __name__ == "__main__":
    main()
