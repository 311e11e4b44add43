# The text side of testdata/models/generate.py: how TVM's TVMScript printer writes literals,
# struct info and calls, and a builder that names bindings the way TVM's BlockBuilder does
# ("lv", "lv1", ..., "gv") and prints one Relax function in the form `mod.script()` gives for
# the output of relax.frontend.torch.from_fx(..., keep_params_as_input=True) after
# relax.frontend.detach_params. References are to apache/tvm v0.23.0:
#   literals:   src/script/printer/doc_printer/python_doc_printer.cc, PrintTypedDoc(LiteralDoc)
#   R.const / metadata: src/script/printer/relax/expr.cc (SpecialScalar, Constant dispatch)
#   R.Tensor / R.Tuple: src/script/printer/relax/struct_info.cc
#   names:      src/script/printer/utils.h GenerateUniqueName; BlockBuilder.emit/emit_output
#   layout:     src/script/printer/relax/function.cc, region.cc, binding.cc, utils.h HeaderWrapper
import base64
import math

import numpy as np


def fmt_float(value):
    """A double as TVM prints it: integral values with one decimal (%.1f, even when huge),
    others with 17 significant digits (%.17g), infinities and NaN quoted."""
    value = float(value)
    if math.isinf(value) or math.isnan(value):
        return '"%s"' % ("nan" if math.isnan(value) else ("inf" if value > 0 else "-inf"))
    if float(round(value)) == value:
        return "%.1f" % value
    return "%.17g" % value


def fmt(value):
    """An attribute value or literal: bools, ints, floats, strings, None and lists of them."""
    if value is None:
        return "None"
    if isinstance(value, (bool, np.bool_)):
        return "True" if value else "False"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return fmt_float(value)
    if isinstance(value, str):
        return '"%s"' % value
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    raise TypeError("no printed form for %r" % (value,))


def tuple_text(items):
    items = [str(int(i)) for i in items]
    return "(" + items[0] + ",)" if len(items) == 1 else "(" + ", ".join(items) + ")"


def tensor_sinfo(shape, dtype):
    return 'R.Tensor(%s, dtype="%s")' % (tuple_text(shape), dtype)


def call(op, args, attrs=()):
    """R.<op>(args..., key=value...): attributes in the order of the attrs node's fields."""
    parts = list(args) + ["%s=%s" % (key, fmt(value)) for key, value in attrs]
    return "R.%s(%s)" % (op, ", ".join(parts))


def shape_expr(shape):
    return "R.shape(%s)" % fmt(list(shape))


class Value:
    """A Relax expression of the function being built: a variable (name set), a constant
    (data set), or a tuple-valued variable (fields: a list of (shape, dtype))."""

    def __init__(self, shape=(), dtype="float32", name=None, data=None, fields=None):
        self.shape, self.dtype, self.name, self.data, self.fields = tuple(shape), dtype, name, data, fields

    @property
    def is_var(self):
        return self.name is not None


def constant(array):
    array = np.array(array, order="C")  # a copy; np.ascontiguousarray would make 0-d arrays 1-d
    return Value(array.shape, str(array.dtype), data=array)


class NameTable:
    """The printer's names: a hint with every character outside [A-Za-z0-9_] replaced by '_',
    then `_1`, `_2`, ... until it is new."""

    def __init__(self):
        self.used = set()

    def take(self, hint):
        base = "".join(c if c == "_" or c.isalnum() else "_" for c in hint)
        name, i = base, 1
        while name in self.used:
            name, i = "%s_%d" % (base, i), i + 1
        self.used.add(name)
        return name


class FunctionBuilder:
    """Collects the bindings of main's dataflow block and prints the module."""

    def __init__(self):
        self.names = NameTable()
        self.params = []      # (Value, printed name)
        self.bindings = []    # (printed name, annotation, right-hand side)
        self.metadata = []    # numpy arrays, in order of first use in the printed text
        self._meta_index = {}
        self._fresh = {}      # BlockBuilder's name supply: hint -> times used

    def param(self, hint, shape, dtype):
        value = Value(shape, dtype, name=self.names.take(hint))
        self.params.append(value)
        return value

    def ref(self, value):
        """The printed form of an operand: a name, R.const(...) for a 0-d constant, else
        metadata["relax.expr.Constant"][i] (numbered in order of first use, as the printer)."""
        if value.is_var:
            return value.name
        if value.data.ndim == 0:
            return 'R.const(%s, "%s")' % (fmt(value.data.item()), value.dtype)
        key = id(value)
        if key not in self._meta_index:
            self._meta_index[key] = len(self.metadata)
            self.metadata.append((value, value.data))  # keep value alive: its id is the key
        return 'metadata["relax.expr.Constant"][%d]' % self._meta_index[key]

    def _bind(self, hint, annotation, rhs):
        count = self._fresh.get(hint, 0)
        self._fresh[hint] = count + 1
        name = self.names.take(hint if count == 0 else "%s%d" % (hint, count))
        self.bindings.append((name, annotation, rhs))
        return name

    def emit(self, rhs, shape, dtype, hint="lv"):
        return Value(shape, dtype, name=self._bind(hint, tensor_sinfo(shape, dtype), rhs))

    def emit_tuple(self, rhs, fields):
        annotation = "R.Tuple(%s)" % ", ".join(tensor_sinfo(s, d) for s, d in fields)
        return Value(name=self._bind("lv", annotation, rhs), fields=list(fields))

    def emit_output(self, value):
        return self.emit(self.ref(value), value.shape, value.dtype, hint="gv")

    def script(self, output):
        params = ", ".join("%s: %s" % (p.name, tensor_sinfo(p.shape, p.dtype)) for p in self.params)
        lines = ["# from tvm.script import ir as I", "# from tvm.script import relax as R", "",
                 "@I.ir_module", "class Module:", "    @R.function",
                 "    def main(%s) -> %s:" % (params, tensor_sinfo(output.shape, output.dtype)),
                 '        R.func_attr({"num_input": 1})', "        with R.dataflow():"]
        lines += ["            %s: %s = %s" % binding for binding in self.bindings]
        lines += ["            R.output(%s)" % output.name, "        return %s" % output.name]
        return "\n".join(lines) + "\n" + self.metadata_text()

    def metadata_text(self):
        """The constants' values. TVM's show_meta=True writes them as tvm.ir.load_json(...);
        relaxc reads the form its own --show-meta prints, so that is the form written here."""
        if not self.metadata:
            return ""
        rows = ['    {"dtype": "%s", "shape": %s, "data": "%s"},'
                % (a.dtype, tuple_text(a.shape) if a.ndim else "()", base64.b64encode(a.tobytes()).decode())
                for _, a in self.metadata]
        return '\nmetadata = {"relax.expr.Constant": [\n' + "\n".join(rows) + "\n]}\n"
