"""Writes the small inputs of the error-path tests with numpy, so the files are exactly what a
user's numpy would produce. Usage: make_arrays.py IMAGE.npy PARAMS.npz OUTDIR"""
import os
import sys
import zipfile

import numpy as np

image, params, out = np.load(sys.argv[1]), dict(np.load(sys.argv[2])), sys.argv[3]
os.makedirs(out, exist_ok=True)
for key, value in params.items():
    np.save(f"{out}/{key}.npy", value)
np.save(f"{out}/short.npy", image[:, :783])
np.save(f"{out}/float64.npy", image.astype(np.float64))
np.save(f"{out}/rank1.npy", image[0])
np.save(f"{out}/fortran.npy", np.asfortranarray(np.ones((3, 2), np.float32)))
np.save(f"{out}/bigendian.npy", image.astype(">f4"))
np.save(f"{out}/objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
with open(f"{out}/v2.npy", "wb") as f:
    np.lib.format.write_array(f, image, version=(2, 0))
np.savez(f"{out}/extra_key.npz", **params, w2=params["w1"])
np.savez(f"{out}/with_x.npz", **params, x=image)
np.savez(f"{out}/bad_w1.npz", **{**params, "w1": params["w1"][:, :127]})
np.savez_compressed(f"{out}/compressed.npz", **params)
with zipfile.ZipFile(f"{out}/not_npy_member.npz", "w") as z:
    z.writestr("readme.txt", "hello")
with zipfile.ZipFile(f"{out}/bad_member.npz", "w") as z:
    z.writestr("w0.npy", b"\x93NUMPY garbage")
raw = open(f"{out}/compressed.npz", "rb").read()
open(f"{out}/truncated.npz", "wb").write(raw[: len(raw) // 2])
open(f"{out}/truncated.npy", "wb").write(open(f"{out}/v2.npy", "rb").read()[:-100])
