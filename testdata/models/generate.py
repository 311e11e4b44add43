#!/usr/bin/python3
# Writes the model test data of testdata/models/: for each model, <name>.tvms (the Relax module
# TVM's PyTorch FX importer gives for it, printed as mod.script() prints it; see fx_import.py and
# relax_text.py), <name>_params.npz (its weights, keyed by the function's parameter names),
# <name>_input.npy (one seeded input) and <name>_expected.npy (PyTorch's eval-mode output).
#   /usr/bin/python3 testdata/models/generate.py              the small models, into this folder
#   /usr/bin/python3 testdata/models/generate.py --full DIR [--batch N]   torchvision's ResNet-18
#       and MobileNetV2 (N images of 224x224), the encoder at BERT-base width and a GPT-2-small
#       decoder block, into DIR (scripts/full_models.sh, bench/run.sh)
# Everything is seeded (SEED): running it again writes the same bytes with the same PyTorch.
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import argparse  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import zipfile  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import fx  # noqa: E402

import model_defs as md  # noqa: E402
from fx_import import import_model  # noqa: E402
from replay import replay  # noqa: E402

SEED = 0


def image(shape):
    return lambda rng: rng.random(shape, dtype=np.float32)


def token_ids(vocab, seq, padding=0):
    """Ids in [1, vocab); the last `padding` positions are id 0, which BERT masks out."""
    def make(rng):
        ids = rng.integers(1, vocab, size=(1, seq), dtype=np.int64)
        ids[:, seq - padding:] = 0
        return ids
    return make


def small_models():
    return [
        ("resnet", md.ResNet, image((1, 3, 64, 64))),
        ("mobilenet_v2", md.MobileNetV2, image((1, 3, 32, 32))),
        ("bert", md.BertEncoder, token_ids(50, 8, padding=2)),
        ("gpt2", md.GPT2, token_ids(50, 8)),
    ]


def full_models(batch=1):
    """`batch` images for the CNNs (their names then end in _b<batch>)."""
    import torchvision  # Debian's python3-torchvision: its architecture definitions
    bert_base = lambda: md.BertEncoder(vocab=30522, hidden=768, heads=12, intermediate=3072,  # noqa: E731
                                       layers=12, max_positions=512, seq=128, labels=2)
    # One decoder block at GPT-2 small's width and 128 tokens; a small vocabulary keeps the
    # block, not the LM head, the bulk of the work.
    gpt2_block = lambda: md.GPT2(vocab=1024, embed=768, heads=12, layers=1, positions=1024, seq=128)  # noqa: E731
    suffix = "" if batch == 1 else "_b%d" % batch
    return [
        ("resnet18" + suffix, lambda: torchvision.models.resnet18(weights=None), image((batch, 3, 224, 224))),
        ("mobilenet_v2" + suffix, lambda: torchvision.models.mobilenet_v2(weights=None), image((batch, 3, 224, 224))),
        ("bert_base", bert_base, token_ids(30522, 128, padding=16)),
        ("gpt2_block", gpt2_block, token_ids(1024, 128)),
    ]


def save_npz(path, arrays):
    """np.savez, but with fixed timestamps (np.savez stamps each member with the time), stored
    uncompressed so that relaxrun can map the arrays in place."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for key, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            archive.writestr(zipfile.ZipInfo(key + ".npy", date_time=(1980, 1, 1, 0, 0, 0)), buffer.getvalue())


def build(make_model):
    """The model with seeded weights and norm statistics, in eval mode."""
    torch.manual_seed(SEED)
    model = make_model()
    md.randomize_norms(model, torch.Generator().manual_seed(SEED))
    return model.eval()


def generate(name, make_model, make_input, out_dir):
    model = build(make_model)
    example = make_input(np.random.default_rng(SEED))
    gm = fx.symbolic_trace(model)
    with torch.no_grad():
        expected = model(torch.from_numpy(example)).numpy().astype(np.float32)
        assert np.array_equal(gm(torch.from_numpy(example)).numpy(), expected)
        text, params, out_shape = import_model(gm, torch.from_numpy(example))
    assert tuple(out_shape) == expected.shape
    # The printed text, evaluated op by op, must give PyTorch's answer before it becomes a test.
    error = float(np.abs(replay(text, example, params) - expected).max())
    assert error <= 1e-5 * max(1.0, float(np.abs(expected).max())), "%s: replay differs by %g" % (name, error)
    paths = [os.path.join(out_dir, name + suffix) for suffix in
             (".tvms", "_params.npz", "_input.npy", "_expected.npy")]
    with open(paths[0], "w") as f:
        f.write(text)
    save_npz(paths[1], params)
    np.save(paths[2], example)
    np.save(paths[3], expected)
    return paths


def main():
    parser = argparse.ArgumentParser(description="Writes the model test data of testdata/models/.")
    parser.add_argument("--full", metavar="DIR", help="write the full-size models into DIR")
    parser.add_argument("--only", action="append", help="only this model (repeatable)")
    parser.add_argument("--batch", type=int, default=1, help="with --full, the CNNs' batch (default 1)")
    args = parser.parse_args()
    out_dir = args.full or os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)  # the same sums in the same order on every machine
    for name, make_model, make_input in (full_models(args.batch) if args.full else small_models()):
        if args.only and name not in args.only:
            continue
        paths = generate(name, make_model, make_input, out_dir)
        sizes = ", ".join("%s %d" % (os.path.basename(p), os.path.getsize(p)) for p in paths)
        print("%s: %s" % (name, sizes))


if __name__ == "__main__":
    main()
