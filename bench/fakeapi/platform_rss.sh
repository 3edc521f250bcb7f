#!/usr/bin/env bash
# ukms-fakeapi on a platform file with many explicit devices: start-up time (exec to the
# "listening on" line) and resident memory once listening, next to a baseline build's in the
# same run (e.g. main's), alternating, ROUNDS times each.
#
#   bench/fakeapi/platform_rss.sh [BUILD_DIR] [DEVICES] [ROUNDS] [BASELINE_UKMS_FAKEAPI]
#
# Not part of the test suite. DEVICES defaults to 100,000 (the explicit list's documented size).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/fakeapi/wrk_lib.sh
. "$here/wrk_lib.sh"
build=${1:-$here/../../build}
devices=${2:-100000}
rounds=${3:-3}
baseline=${4:-}
bench_workdir # $work, $pids: killed and removed on exit

"$build/fakeapi/fakeapi-rotgen" --dump-platform >"$work/demo.json"
python3 - "$work/demo.json" "$work/big.json" "$devices" "$here/../../tests/sim" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[4])
from fleet_util import explicit_devices
doc = json.load(open(sys.argv[1]))
doc["devices"] = explicit_devices(int(sys.argv[3]), account="demo")
json.dump(doc, open(sys.argv[2], "w"))
PY
chmod 600 "$work/big.json"

measure() { # name exe -> prints "name start_ms rss_kib"
    start_api "$1" "$2" "$work/big.json"
    echo "$1 $started_ms $(rss_kib "$started_pid")"
    kill "$started_pid"
    wait "$started_pid" 2>/dev/null || true
}

echo "platform: $devices explicit devices, $(($(stat -c %s "$work/big.json") / 1024)) KiB"
printf "%-10s %5s %10s %12s\n" build round "start ms" "RSS KiB"
for r in $(seq 1 "$rounds"); do
    read -r n ms kib < <(measure this "$build/fakeapi/ukms-fakeapi")
    printf "%-10s %5s %10s %12s\n" "$n" "$r" "$ms" "$kib"
    if [ -n "$baseline" ]; then
        read -r n ms kib < <(measure baseline "$baseline")
        printf "%-10s %5s %10s %12s\n" "$n" "$r" "$ms" "$kib"
    fi
done
