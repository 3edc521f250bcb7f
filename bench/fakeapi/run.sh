#!/usr/bin/env bash
# GetPSK throughput and latency of ukms-fakeapi under wrk (64 connections), next to a bare
# libmicrohttpd responder with the same threading, measured in the same run.
#
#   bench/fakeapi/run.sh [BUILD_DIR] [SECONDS] [THREADS] [ROUNDS]
#
# The two servers are measured in ROUNDS alternating rounds (bare, fakeapi, bare, ...) of
# SECONDS each and the ratio is taken over the sums, so load from other processes on a shared
# machine hits both alike. UKMS_BENCH_PLATFORM=FILE and UKMS_BENCH_DEVICE=SELECTOR measure GetPSK
# of another platform's device (e.g. a 1,000,000-device fleet, bench/fakeapi/fleet.sh).
# UKMS_BENCH_OLD_API=PATH adds a third server to every round: another ukms-fakeapi build (e.g.
# main's), to compare two versions in the same run.
#
# Not part of the test suite. Both servers run with the same thread-pool size; ukms-fakeapi
# logs at "warn" (the per-request info line is measured separately with UKMS_BENCH_LOG=info).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/fakeapi/wrk_lib.sh
. "$here/wrk_lib.sh"
build=${1:-$here/../../build}
secs=${2:-10}
threads=${3:-2}
rounds=${4:-3}
conns=64
api=$build/fakeapi/ukms-fakeapi
bare=$build/fakeapi/fakeapi-bare-mhd
rotgen=$build/fakeapi/fakeapi-rotgen
bench_workdir # $work, $pids: killed and removed on exit

plat=()
[ -n "${UKMS_BENCH_PLATFORM:-}" ] && plat=(--platform "$UKMS_BENCH_PLATFORM")
"$api" --listen 127.0.0.1:0 --threads "$threads" --log-level "${UKMS_BENCH_LOG:-warn}" \
    "${plat[@]}" >"$work/api.out" 2>"$work/api.err" &
api_pid=$!
pids+=($!)
"$bare" 0 "$threads" >"$work/bare.out" 2>&1 &
bare_pid=$!
pids+=($!)
if [ -n "${UKMS_BENCH_OLD_API:-}" ]; then
    "$UKMS_BENCH_OLD_API" --listen 127.0.0.1:0 --threads "$threads" --log-level warn \
        "${plat[@]}" >"$work/old.out" 2>"$work/old.err" &
    pids+=($!)
    old_pid=$!
    old_port=$(wait_port "$work/old.out")
fi
api_port=$(wait_port "$work/api.out")
bare_port=$(wait_port "$work/bare.out")

export UKMS_TOKEN UKMS_KEYID
UKMS_TOKEN=$(curl -sf -X POST "http://127.0.0.1:$api_port/v1/authenticate" \
    -H "Content-Type: application/json" \
    -d '{"APIKey":"11111111-2222-4333-8444-555555555555","APISecret":"ukmsDemoSecretNotSecretPublic001"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["AuthToken"])')
UKMS_KEYID=$("$rotgen" "${plat[@]}" "${UKMS_BENCH_DEVICE:-0A04F008003C9623}" 1 16 | cut -d' ' -f1)

printf "%-16s %5s %10s %9s %9s %8s %13s\n" server round "req/s" "p50 ms" "p99 ms" non-2xx \
    socket-errors
b_sum=0 a_sum=0
for r in $(seq 1 "$rounds"); do
    read -r b_rps b_p50 b_p99 b_bad b_err < <(run_wrk bare "$bare_port" "$bare_pid")
    read -r a_rps a_p50 a_p99 a_bad a_err < <(run_wrk api "$api_port" "$api_pid")
    printf "%-16s %5s %10s %9s %9s %8s %13s\n" bare-mhd "$r" "$b_rps" "$b_p50" "$b_p99" "$b_bad" \
        "$b_err"
    printf "%-16s %5s %10s %9s %9s %8s %13s\n" ukms-fakeapi "$r" "$a_rps" "$a_p50" "$a_p99" \
        "$a_bad" "$a_err"
    b_sum=$((b_sum + b_rps)) a_sum=$((a_sum + a_rps))
    if [ -n "${old_port:-}" ]; then
        read -r o_rps o_p50 o_p99 o_bad o_err < <(run_wrk old "$old_port" "$old_pid")
        printf "%-16s %5s %10s %9s %9s %8s %13s\n" fakeapi-old "$r" "$o_rps" "$o_p50" "$o_p99" \
            "$o_bad" "$o_err"
        o_sum=$((${o_sum:-0} + o_rps))
    fi
done
[ -n "${old_port:-}" ] && python3 -c "print(f'ratio old fakeapi/bare = {${o_sum}/$b_sum:.2f}')"
python3 -c "r=$a_sum/$b_sum; print(f'ratio fakeapi/bare over {$rounds} rounds = {r:.2f} (goal >= 0.80)')"
cpu_summary bare api ${old_port:+old}
echo "(${conns} connections, ${secs} s per server and round, ${threads} server threads," \
    "$(nproc) CPUs shared with wrk)"
# Where the difference goes: the handler's own CPU per GetPSK, without HTTP.
if [ -x "$build/fakeapi/fakeapi-handler-bench" ]; then
    "$build/fakeapi/fakeapi-handler-bench" 100000
fi
