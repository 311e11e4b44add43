"""Checks that the tensors of a TVM metadata section (as relaxc --show-meta prints it) equal the
named arrays of an .npz, in order: metadata_tensors.py MODULE.tvms PARAMS.npz NAME... Prints True
or False. The tensor blob: magic, reserved, device, ndim, dtype, shape, byte count, data."""
import base64
import json
import re
import struct
import sys

import numpy as np

text = open(sys.argv[1]).read()
body = re.match(r'metadata = tvm\.ir\.load_json\("""(.*?)"""\)', text, re.S).group(1)
graph = json.loads(body.replace('\\"', '"').replace('\\\\', '\\'))
blobs = [base64.b64decode(n["data"]) for n in graph["nodes"] if n["type"] == "ffi.Tensor"]
params = np.load(sys.argv[2])
ok = len(blobs) == len(sys.argv) - 3
for blob, name in zip(blobs, sys.argv[3:]):
    ndim = struct.unpack_from("<i", blob, 24)[0]
    shape = struct.unpack_from("<%dq" % ndim, blob, 32)
    data = np.frombuffer(blob[40 + 8 * ndim:], np.float32).reshape(shape)
    ok = ok and np.array_equal(data, params[name])
print(ok)
