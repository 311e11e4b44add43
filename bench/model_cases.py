"""Real models as TVM's PyTorch importer prints them (testdata/models/generate.py --full, seeded
weights, batch_norm included): ResNet-18 at batch 1 and 8, MobileNetV2 at batch 1, the encoder
at BERT-base size and a GPT-2-small decoder block. Each is compiled with relaxc (timed), checked
against PyTorch's output, and timed against PyTorch on 1 thread and on every core (with
OMP_WAIT_POLICY=PASSIVE: libgomp's default spinning makes PyTorch 40-80x slower on a shared
2-core machine) and, for the CNNs, oneDNN's convolution pipeline (bench/onednn_convnet.cc: one
primitive per layer, batch_norm folded, relu and the residual add as post-ops), each model and
its baselines in interleaved rounds (common.side_by_side)."""
import json
import os

import numpy as np

from common import CORES, OUT, PYTHON, ROOT, onednn_us, relaxc, relaxrun_us, run, runs_for, side_by_side

MODELS = os.path.join(OUT, "models")
GENERATE = os.path.join(ROOT, "testdata", "models", "generate.py")
# (name, batch of the CNNs, whether oneDNN's convolution pipeline has it)
CASES = [("resnet18", 1, True), ("resnet18_b8", 8, True), ("mobilenet_v2", 1, True), ("bert_base", 1, False), ("gpt2_block", 1, False)]


def model_files(name, batch):
    """The model's .tvms, params, input and expected output, generated once into bench/out."""
    base = os.path.join(MODELS, name)
    files = [base + suffix for suffix in (".tvms", "_params.npz", "_input.npy", "_expected.npy")]
    if not all(os.path.exists(f) for f in files):
        run([PYTHON, GENERATE, "--full", MODELS, "--batch", str(batch), "--only", name])
    return files


def check_output(name, rx, files):
    got = os.path.join(MODELS, name + "_got.npy")
    run([os.path.join(ROOT, "build", "tools", "relaxrun"), rx, "--input", files[2], "--params", files[1], "--output", got])
    expected = np.load(files[3])
    error = float(np.abs(np.load(got).astype(np.float64) - expected).max() / np.abs(expected).max())
    if not error <= 1e-4:
        raise SystemExit("%s: relaxrun's output differs from PyTorch's by %.2e (relative to its largest value)" % (name, error))


def torch_us(name, input_path, threads, runs):
    env = {"OMP_WAIT_POLICY": "PASSIVE", "OMP_NUM_THREADS": str(threads)}
    out = run([PYTHON, os.path.join(ROOT, "bench", "torch_time.py"), name, input_path, str(threads), str(runs)], env)
    return json.loads(out.splitlines()[-1])


def onednn_convnet_us(name, batch, threads, runs):
    model = name.split("_b")[0] if name.endswith("_b%d" % batch) else name
    graph = os.path.join(MODELS, model + "_graph.json")
    folded = os.path.join(MODELS, model + "_folded.npz")
    image = os.path.join(MODELS, "%s_b%d_input.npy" % (model, batch))
    if not os.path.exists(image):
        run([PYTHON, os.path.join(ROOT, "bench", "convnet_graph.py"), model, str(batch), MODELS])
    return onednn_us("onednn_convnet", [graph, folded, image, str(runs)], threads)


def model_cases(rows):
    os.makedirs(MODELS, exist_ok=True)
    compile_seconds = {}
    for name, batch, has_onednn in CASES:
        files = model_files(name, batch)
        rx = os.path.join(MODELS, name + ".rx")
        compile_seconds[name] = relaxc(files[0], rx)
        check_output(name, rx, files)
        first = relaxrun_us(rx, [files[2]], files[1], 3)
        runs = runs_for(first * 1e-6, budget=1.5, least=5, most=100)
        flops = {}

        def torch_median(threads):
            result = torch_us(name, files[2], threads, runs)  # noqa: B023 (called in this iteration)
            flops["model"] = result["flops"]
            return result["median_us"]

        measures = {"relaxrun": lambda: relaxrun_us(rx, [files[2]], files[1], runs),
                    "PyTorch 1 thread": lambda: torch_median(1), f"PyTorch {CORES} threads": lambda: torch_median(CORES)}
        if has_onednn:
            measures["oneDNN 1 thread"] = lambda: onednn_convnet_us(name, batch, 1, runs)
            measures[f"oneDNN {CORES} threads"] = lambda: onednn_convnet_us(name, batch, CORES, runs)
        best = side_by_side(measures)
        ours = best.pop("relaxrun")
        baselines = best
        label = {"resnet18": "ResNet-18 b1", "resnet18_b8": "ResNet-18 b8", "mobilenet_v2": "MobileNetV2 b1",
                 "bert_base": "BERT-base encoder, 128 tokens", "gpt2_block": "GPT-2 block, 768 wide, 128 tokens"}[name]
        rows.add(label, ours, baselines, flops["model"], "models", note="relaxc %.2f s" % compile_seconds[name])
    return {"relaxc_model_s": compile_seconds}
