"""Writes damaged copies of a module with a TVM metadata section (0.26 layout) into OUT_DIR:
tvm_metadata_damage.py MODULE.tvms OUT_DIR. Each breaks one thing a reader must check."""
import base64
import json
import os
import re
import struct
import sys

source = open(sys.argv[1]).read()
out_dir = sys.argv[2]
match = re.match(r'metadata = tvm\.ir\.load_json\("""(.*?)"""\)\n', source, re.S)
rest = source[match.end():]
graph = json.loads(match.group(1).replace('\\"', '"').replace('\\\\', '\\'))


def write(name, text):
    escaped = text.replace('\\', '\\\\').replace('"', '\\"')
    with open(os.path.join(out_dir, name + ".tvms"), "w") as f:
        f.write('metadata = tvm.ir.load_json("""' + escaped + '""")\n' + rest)


def with_graph(name, edit):
    g = json.loads(json.dumps(graph))
    edit(g)
    write(name, json.dumps(g, indent=2))


def tensor_nodes(g):
    return [n for n in g["nodes"] if n["type"] == "ffi.Tensor"]


def edit_blob(g, change):
    node = tensor_nodes(g)[0]
    node["data"] = base64.b64encode(change(bytearray(base64.b64decode(node["data"])))).decode()


write("not_json", "{ this is not json")
with_graph("bad_magic", lambda g: edit_blob(g, lambda b: b"\0" * 8 + b[8:]))
with_graph("short_tensor", lambda g: edit_blob(g, lambda b: b[:-4]))
with_graph("gpu_tensor", lambda g: edit_blob(g, lambda b: b[:16] + struct.pack("<i", 2) + b[20:]))


def missing(g):
    constants = [n for n in g["nodes"] if n["type"] == "relax.expr.Constant"]
    constants[1]["data"]["data"] = 99


with_graph("missing_node", missing)


def other_key(g):
    g["nodes"][0]["data"] = "tirx.StringImm"


with_graph("other_key", other_key)
with_graph("no_root", lambda g: g.pop("root_index"))
write("index_too_far", match.group(1).replace('\\"', '"').replace('\\\\', '\\'))
text = open(os.path.join(out_dir, "index_too_far.tvms")).read()
open(os.path.join(out_dir, "index_too_far.tvms"), "w").write(text.replace('metadata["relax.expr.Constant"][1]', 'metadata["relax.expr.Constant"][2]'))
