#!/usr/bin/env python3
"""Which of TVM's Relax operators relaxc compiles (on demand, not CI).

Usage: scripts/op_coverage.py TVM_GIT_DIR [RELAXC] [--missing]
TVM's operators are read from the registrations in src/relax/op of a clone or bare mirror of
apache/tvm (TVM_REGISTER_OP("relax.X") and the RELAX_REGISTER_*_OP macros); relaxc's from
`relaxc --list-operators`. Operators a user never writes in a model (the call_* forms,
memory/vm/builtin/inspect internals, distributed, gradient and debugging operators) are
counted apart.
"""
import re
import subprocess
import sys

INTERNAL = re.compile(r"^(call_|memory\.|vm\.|builtin\.|inspect\.|ccl\.|dist\.|grad\.|invoke_|make_closure$|null_value$|print$|"
                      r"assert_op$|wrap_param$|hint_on_device$|to_vdevice$|shape_of$|tensor_to_shape$|shape_to_tensor$|size$)")
MACROS = {"UNARY_ARITH_OP_AND_IMPL": "", "ARGMAX_ARGMIN_OP": "", "BINARY_BROADCAST_OP_AND_IMPL": "", "STATISTICAL_OP_INTERFACE": "", "CMP_OP_AND_IMPL": "",
          "UNARY_CHECK_OP_AND_IMPL": "", "UNARY_NN_OP_AND_IMPL": "nn."}


def tvm_operators(git_dir):
    files = subprocess.run(["git", "--git-dir", git_dir, "grep", "-h", "-E", r"TVM_REGISTER_OP\(\"relax\.|RELAX_REGISTER_", "HEAD", "--", "src/relax/op"],
                           capture_output=True, text=True, check=True).stdout
    names = set(re.findall(r'TVM_REGISTER_OP\("relax\.([A-Za-z0-9_.]+)"\)', files))
    for macro, prefix in MACROS.items():
        names |= {prefix + n for n in re.findall(r"RELAX_REGISTER_" + macro + r"\(([a-z0-9_]+)", files)}
    return names


def main():
    git_dir = sys.argv[1]
    relaxc = sys.argv[2] if len(sys.argv) > 2 and not sys.argv[2].startswith("--") else "relaxc"
    ours = {line[2:] for line in subprocess.run([relaxc, "--list-operators"], capture_output=True, text=True, check=True).stdout.split()}
    theirs = tvm_operators(git_dir)
    user = {n for n in theirs if not INTERNAL.match(n)}
    print(f"TVM registers {len(theirs)} Relax operators, {len(user)} of them written in models")
    print(f"relaxc compiles {len(ours & user)} of those {len(user)} ({len(ours & theirs)} of all {len(theirs)})")
    extra = sorted(ours - theirs)
    if extra:
        print("relaxc also has: " + ", ".join(extra))
    if "--missing" in sys.argv:
        print("missing: " + ", ".join(sorted(user - ours)))


if __name__ == "__main__":
    main()
