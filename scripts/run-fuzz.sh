#!/usr/bin/env bash
# Runs one libFuzzer target for UKMS_FUZZ_SECONDS (default 5) over a temporary copy of its seed
# corpus. Used by the 'fuzz' meson suite; never writes to the source tree.
set -euo pipefail
exe=$1 seeds=$2
# Undefined behaviour is a finding, not a warning.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
"$exe" -max_total_time="${UKMS_FUZZ_SECONDS:-5}" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$work/" -print_final_stats=1 "$work/corpus" "$seeds" 2>"$work/log" || {
  tail -n 40 "$work/log" >&2
  for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
    [ -e "$a" ] && { echo "artifact: $(basename "$a")" >&2; xxd "$a" | head -n 20 >&2; }
  done
  exit 1
}
grep -E "stat::number_of_executed_units|Done" "$work/log" | tail -n 2
