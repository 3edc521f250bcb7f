#!/usr/bin/env bash
# ukms-fakeapi with a 1,000,000-device fleet next to the 13-device demo platform, in one run:
# start-up time (exec to the "listening on" line), resident memory after start and after the
# GetPSK runs, and GetPSK req/s under wrk (a fleet device's identity vs a demo device's), in
# alternating rounds.
#
#   bench/fakeapi/fleet.sh [BUILD_DIR] [SECONDS] [THREADS] [ROUNDS] [FLEET_SIZE]
#
# Then the handler alone (fakeapi-handler-bench, no HTTP) for a demo and a fleet device.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/fakeapi/wrk_lib.sh
. "$here/wrk_lib.sh"
build=${1:-$here/../../build}
secs=${2:-5}
threads=${3:-2}
rounds=${4:-3}
size=${5:-1000000}
conns=64
api=$build/fakeapi/ukms-fakeapi
rotgen=$build/fakeapi/fakeapi-rotgen
bench_workdir # $work, $pids: killed and removed on exit

"$rotgen" --dump-platform >"$work/demo.json"
python3 - "$work/demo.json" "$work/fleet.json" "$size" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["fleets"] = [{"name": "load", "account": "demo", "model": "SARA-R510M8S",
                  "count": int(sys.argv[3])}]
json.dump(doc, open(sys.argv[2], "w"))
PY
chmod 600 "$work/demo.json" "$work/fleet.json"

start_api demo "$api" "$work/demo.json" --threads "$threads"
pid_demo=$started_pid port_demo=$started_port ms_demo=$started_ms
start_api fleet "$api" "$work/fleet.json" --threads "$threads"
pid_fleet=$started_pid port_fleet=$started_port ms_fleet=$started_ms
rss0_demo=$(rss_kib "$pid_demo") rss0_fleet=$(rss_kib "$pid_fleet")

export UKMS_TOKEN UKMS_KEYID
UKMS_TOKEN=$(curl -sf -X POST "http://127.0.0.1:$port_demo/v1/authenticate" \
    -H "Content-Type: application/json" \
    -d '{"APIKey":"11111111-2222-4333-8444-555555555555","APISecret":"ukmsDemoSecretNotSecretPublic001"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["AuthToken"])')
key_demo=$("$rotgen" 0A04F008003C9623 1 16 | cut -d' ' -f1)
key_fleet=$("$rotgen" --platform "$work/fleet.json" "load:$((size - 1))" 1 16 | cut -d' ' -f1)

printf "%-26s %5s %10s %9s %9s %8s\n" server round "req/s" "p50 ms" "p99 ms" non-2xx
d_sum=0 f_sum=0
for r in $(seq 1 "$rounds"); do
    read -r d_rps d_p50 d_p99 d_bad _ < <(UKMS_KEYID=$key_demo run_wrk demo "$port_demo" "$pid_demo")
    read -r f_rps f_p50 f_p99 f_bad _ < <(UKMS_KEYID=$key_fleet run_wrk fleet "$port_fleet" "$pid_fleet")
    printf "%-26s %5s %10s %9s %9s %8s\n" "demo (13 devices)" "$r" "$d_rps" "$d_p50" "$d_p99" "$d_bad"
    printf "%-26s %5s %10s %9s %9s %8s\n" "fleet ($size, last dev)" "$r" "$f_rps" "$f_p50" \
        "$f_p99" "$f_bad"
    d_sum=$((d_sum + d_rps)) f_sum=$((f_sum + f_rps))
done
python3 -c "r=$f_sum/$d_sum; print(f'GetPSK ratio fleet/demo over {$rounds} rounds = {r:.2f} (goal >= 0.95)')"
cpu_summary demo fleet
echo "start-up ms: demo $ms_demo, fleet $ms_fleet"
echo "RSS KiB after start: demo $rss0_demo, fleet $rss0_fleet;" \
    "after the runs: demo $(rss_kib "$pid_demo"), fleet $(rss_kib "$pid_fleet") (goal <= 65536)"
echo "(${conns} connections, ${secs} s per server and round, ${threads} server threads," \
    "$(nproc) CPUs shared with wrk)"
# Where the difference goes: the handler's own CPU per GetPSK without HTTP, a demo device on the
# demo platform and the fleet's last device on the fleet platform.
if [ -x "$build/fakeapi/fakeapi-handler-bench" ]; then
    echo "demo device:"
    "$build/fakeapi/fakeapi-handler-bench" 100000 "$work/demo.json" 0A04F008003C9623
    echo "fleet device load:$((size - 1)):"
    "$build/fakeapi/fakeapi-handler-bench" 100000 "$work/fleet.json" "load:$((size - 1))"
fi
