#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer (fuzz/README.md): builds the targets with clang-19,
# ASan and UBSan in build-fuzz/ (installing clang-19 and libclang-rt-19-dev if missing), replays
# the committed regression inputs (testdata/fuzz/TARGET/), then fuzzes each target for SECONDS
# from a corpus seeded by testdata/ and kept in build-fuzz/corpus/ between runs. Exit 1 when a
# target crashes, hangs, leaks or runs out of memory; the input is in build-fuzz/crashes/TARGET/.
#   scripts/fuzz.sh [TARGET|all] [SECONDS]     (default: all, 30 s each)
# With FUZZ_CPU=1, SECONDS is CPU time rather than wall time (libFuzzer's -max_total_time counts
# wall time): a campaign run at low priority beside other work still gets the time it asks for.
# FUZZ_TIMEOUT (default 30) is libFuzzer's -timeout, in wall seconds: a campaign at nice 19 on a
# busy machine gives it room, and replays its corpus at the default afterwards (fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(frontend compile rx npy npz schedule api_open)
which=${1:-all}
seconds=${2:-30}
if [ "$which" != all ] && [[ ! " ${targets[*]} " =~ " $which " ]]; then
  echo "scripts/fuzz.sh: no target '$which' (targets: ${targets[*]})" >&2
  exit 2
fi
[ "$which" = all ] || targets=("$which")

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if ! dpkg -s clang-19 libclang-rt-19-dev > /dev/null 2>&1; then
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends clang-19 libclang-rt-19-dev
fi
out=build-fuzz
CC=clang-19 CXX=clang++-19 cmake -S . -B $out -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRELAXC_FUZZ=ON -DBUILD_TESTING=OFF > /dev/null
cmake --build $out --target "${targets[@]/#/fuzz_}" relaxc

# Copies the files `find` lists into $dir under names made from their paths (basenames repeat).
copy_found() {
  local f
  while IFS= read -r f; do cp "$f" "$dir/$(echo "$f" | tr / _)"; done < <(find "$@")
}

# Seeds: what the tests already feed each reader.
seed() {
  local target=$1 dir=$out/seeds/$1
  rm -rf "$dir" && mkdir -p "$dir"
  case $target in
    frontend) copy_found testdata examples -name '*.tvms' -size -64k ;;
    compile)
      while IFS= read -r f; do
        { printf '\002'; cat "$f"; } > "$dir/$(echo "$f" | tr / _)"
      done < <(find testdata/codegen testdata/ops testdata/course examples -name '*.tvms' -size -4k) ;;
    rx | api_open)
      for f in examples/mlp.tvms tests/api/values.tvms testdata/e2e/cnn_high_level.tvms; do
        $out/tools/relaxc "$f" -o "$dir/$(basename "$f" .tvms).rx" 2> /dev/null
      done ;;
    npy) copy_found testdata examples -name '*.npy' -size -64k ;;
    npz) copy_found testdata examples -name '*.npz' -size -256k ;;
    schedule) copy_found testdata examples -name '*schedule*.py' ;;
  esac
}

# Runs a fuzzer (the rest of the arguments) for SECONDS of wall time, or of CPU time with
# FUZZ_CPU=1: then a watchdog reads the process's user+system time from /proc and stops it with
# SIGINT, on which libFuzzer prints its final stats and exits with code 72 (counted as success).
run_for() {
  local seconds=$1 log=$2
  shift 2
  if [ "${FUZZ_CPU:-0}" != 1 ]; then
    "$@" -max_total_time="$seconds" > "$log" 2>&1
    return
  fi
  "$@" > "$log" 2>&1 &
  local pid=$! ticks_per_second cpu=0 rc=0
  ticks_per_second=$(getconf CLK_TCK)
  while kill -0 "$pid" 2> /dev/null; do
    cpu=$(awk -v t="$ticks_per_second" '{ print int(($14 + $15) / t) }' "/proc/$pid/stat" 2> /dev/null || echo "$cpu")
    if [ "$cpu" -ge "$seconds" ]; then kill -INT "$pid" 2> /dev/null || true; break; fi
    sleep 5
  done
  wait "$pid" || rc=$?
  echo "cpu_seconds: $cpu" >> "$log"
  [ "$rc" -eq 0 ] || [ "$rc" -eq 72 ]
}

/usr/bin/python3 fuzz/make_dict.py . $out/tvms.dict
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
for target in "${targets[@]}"; do
  bin=$out/fuzz/fuzz_$target
  mkdir -p "$out/corpus/$target" "$out/crashes/$target"
  seed "$target"
  if [ -d "testdata/fuzz/$target" ]; then  # inputs that once crashed: each must pass
    "$bin" -runs=0 "testdata/fuzz/$target" > "$out/crashes/$target.replay.log" 2>&1 || { echo "fuzz_$target: a regression input fails again (see $out/crashes/$target.replay.log)"; status=1; }
  fi
  dict=()
  case $target in frontend | compile | schedule) dict=(-dict=$out/tvms.dict) ;; esac
  export RXRT_FUZZ_TRUSTED=$out/seeds/api_open  # fuzz_api_open: the native code relaxc wrote
  echo "fuzz_$target: ${seconds}s"
  if ! run_for "$seconds" "$out/$target.log" "$bin" -timeout="${FUZZ_TIMEOUT:-30}" -rss_limit_mb=3072 -malloc_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$out/crashes/$target/" "${dict[@]}" "$out/corpus/$target" "$out/seeds/$target"; then
    echo "fuzz_$target: FOUND A FAILURE (see $out/$target.log and $out/crashes/$target/)"
    grep -E "^==[0-9]+==ERROR|SUMMARY|Test unit written" "$out/$target.log" | head -5
    status=1
  fi
  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|^cpu_seconds" "$out/$target.log" | tr '\n' ' '
  grep -oE "cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*" "$out/$target.log" | tail -1
done
exit $status
