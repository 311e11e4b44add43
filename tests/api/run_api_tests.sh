#!/bin/bash
# The C API's tests (ctest's api): api_test.c against the build's librelaxrt.so, then the
# embedding examples (examples/embed/) built against an installed copy — the C one with
# pkg-config, the C++ one with CMake's find_package — each compared with numpy's logits.
#   run_api_tests.sh BUILD_DIR SOURCE_DIR SANITIZE(ON|OFF)
set -euo pipefail
build=$1 src=$2 sanitize=$3
work=$build/api-test
rm -rf "$work" && mkdir -p "$work"
relaxc=$build/tools/relaxc
"$relaxc" "$src/tests/api/values.tvms" -o "$work/values.rx"
"$relaxc" "$src/tests/api/needs_plugin.tvms" -o "$work/needs_plugin.rx"
"$relaxc" "$src/examples/mlp.tvms" -o "$work/mlp.rx" 2> /dev/null  # the chapter's module has two warnings
image=$src/examples/img2437.npy params=$src/examples/mlp_params.npz
/usr/bin/python3 "$src/tests/api/mlp_reference.py" "$image" "$params" "$work/expected.npy"

"$build/tests/api_test" "$work" "$build/plugins/librelu_plugin.so" "$image" "$params" "$work/expected.npy"

# The examples, against the library as installed.
prefix=$work/prefix
cmake --install "$build" --prefix "$prefix" > /dev/null
flags=""
[ "$sanitize" = ON ] && flags="-fsanitize=address,undefined -fno-omit-frame-pointer"
# shellcheck disable=SC2046 # pkg-config's output is a list of flags
cc -std=c99 -Wall -Wextra -Wpedantic -Werror $flags "$src/examples/embed/classify.c" \
  $(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs relaxrt) -Wl,-rpath,"$prefix/lib" -o "$work/classify_c"
cmake -S "$src/examples/embed" -B "$work/embed-build" -G Ninja -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_FLAGS="$flags -Werror" -DCMAKE_CXX_FLAGS="$flags -Werror" > /dev/null
cmake --build "$work/embed-build" > /dev/null
labels=$src/examples/fashion_mnist_labels.txt
for program in "$work/classify_c" "$work/embed-build/classify_cpp"; do
  "$program" "$work/mlp.rx" "$image" "$params" "$labels" > "$work/out.txt"
  /usr/bin/python3 - "$work/out.txt" "$work/expected.npy" "$labels" "$program" <<'PY'
import sys
import numpy as np
out, expected, labels, program = sys.argv[1:5]
lines = open(out).read().splitlines()
ref = np.load(expected)[0]
logits = np.array([float(v) for v in next(l for l in lines if l.startswith("logits:")).split()[1:]])
assert np.allclose(logits, ref, rtol=1e-5, atol=1e-4), (program, logits, ref)
best = int(np.argmax(ref))
name = open(labels).read().splitlines()[best]
assert f"class {best}: {name}" in lines, (program, lines)
print(f"{program}: the logits numpy computes, class {best} ({name})")
PY
done
# A wrong file is an error message and exit 1 from the example, not a crash.
if "$work/classify_c" "$work/values.rx" "$image" "$params" 2> "$work/err.txt"; then
  echo "classify_c accepted a module without @main" >&2
  exit 1
fi
grep -q "there is no function @main" "$work/err.txt"
