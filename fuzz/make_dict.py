"""Writes the libFuzzer dictionary of TVMScript tokens for the front-end targets: the lexer's
keywords and operators, and every R./T./I. name the modules under testdata/ use, so that the
dictionary follows the operators as they are added.

usage: make_dict.py SOURCE_DIR OUT.dict"""
import glob
import os
import re
import sys

src, out = sys.argv[1:3]
words = set("False None True and as class def elif else for from if import in is lambda not or pass return while with".split())
words |= {"!=", "->", "**", "//", "==", "<=", ">=", "<<", ">>", "+=", "-=", "*=", "@", ":", "(", ")", "[", "]", ",", '"""', "\n    ", "\n        "}
for path in glob.glob(os.path.join(src, "testdata", "**", "*.tvms"), recursive=True) + [os.path.join(src, "examples", "mlp.tvms")]:
    text = open(path, encoding="utf-8", errors="replace").read()
    words |= {n for n in re.findall(r"\b(?:R|T|I)\.[A-Za-z_][A-Za-z0-9_.]*", text) if len(n) < 40}


def quoted(word):
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\x0A") + '"'


with open(out, "w") as f:
    f.write("".join(quoted(w) + "\n" for w in sorted(words)))
