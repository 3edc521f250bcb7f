#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, then builds and runs every
# test twice (a normal build and an ASan+UBSan build), runs each libFuzzer target for a few
# seconds (clang build), and ends with one line "N passed, N failed" counting test cases.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/deps.sh || exit 1

status=0
run_build() { # name, meson test args..., then -- and setup args
  local dir=$1; shift
  local test_args=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do test_args+=("$1"); shift; done
  shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; status=1; return; }
  fi
  if ! meson compile -C "$dir" >"$dir.compile.log" 2>&1; then
    tail -n 60 "$dir.compile.log"; status=1; return
  fi
  echo "== $dir: meson test ${test_args[*]}"
  meson test -C "$dir" --print-errorlogs --num-processes 2 "${test_args[@]}" || status=1
}

mkdir -p build-logs 2>/dev/null
run_build build --no-suite fuzz --
run_build build-asan --no-suite fuzz --no-suite slow -- -Db_sanitize=address,undefined -Db_lundef=false
CC=clang run_build build-fuzz --suite fuzz -- -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false

python3 scripts/count-tests.py build build-asan build-fuzz
rc=$?
[ $status -eq 0 ] && [ $rc -eq 0 ]
