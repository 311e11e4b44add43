#!/usr/bin/env bash
# Builds if needed and runs every test (Catch2 unit tests and lit/FileCheck tests) via ctest.
#   scripts/test.sh             the normal build, in build/
#   scripts/test.sh --sanitize  a separate AddressSanitizer + UndefinedBehaviorSanitizer build
#   scripts/test.sh --fuzz      every libFuzzer target for 20 s (scripts/fuzz.sh, in build-fuzz/)
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
cmake_flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [ "${1:-}" = "--sanitize" ]; then
  build_dir=build-sanitize
  cmake_flags=(-DCMAKE_BUILD_TYPE=Debug -DRELAXC_SANITIZE=ON)
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:allocator_may_return_null=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
elif [ "${1:-}" = "--fuzz" ]; then
  exec bash scripts/fuzz.sh all 20
elif [ -n "${1:-}" ]; then
  echo "usage: scripts/test.sh [--sanitize | --fuzz]" >&2
  exit 2
fi

cmake -S . -B "$build_dir" -G Ninja "${cmake_flags[@]}" >/dev/null
cmake --build "$build_dir"
ctest --test-dir "$build_dir" --output-on-failure
