#!/usr/bin/env bash
# ukms-load against ukms-psk-server (+ ukms-fakeapi with a 1,000,000-device fleet) with a cold
# cache (a new identity per handshake: one GetPSK each) and a warm one (--same-identity on 64
# devices), next to the baseline in the same run: openssl s_server with one static PSK (TLS 1.2,
# the identity of one fleet device). Handshakes/s and p50/p99 of each, TLS and DTLS.
#
#   bench/load/run.sh [BUILD_DIR] [HANDSHAKES] [CONCURRENCY]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
n=${2:-2000}
conc=${3:-16}
load=$build/load/ukms-load
api=$build/fakeapi/ukms-fakeapi
pss=$build/examples/psk-server/ukms-psk-server
rotgen=$build/fakeapi/fakeapi-rotgen
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT

wait_line() { # file pattern -> the port in the first matching line
    for _ in $(seq 1 200); do
        if grep -q "$2" "$1" 2>/dev/null; then
            grep "$2" "$1" | head -n 1 | sed 's/.*:\([0-9]*\)$/\1/'
            return 0
        fi
        sleep 0.05
    done
    echo "server did not start: $1" >&2
    return 1
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

"$rotgen" --dump-platform >"$work/p0.json"
python3 - "$work/p0.json" "$work/platform.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
doc["fleets"] = [{"name": "load", "account": "demo", "model": "SARA-R510M8S", "count": 1000000}]
json.dump(doc, open(sys.argv[2], "w"))
PY
chmod 600 "$work/platform.json"
plat=$work/platform.json

"$api" --listen 127.0.0.1:0 --log-level warn --platform "$plat" >"$work/api.out" 2>&1 &
pids+=($!)
api_port=$(wait_line "$work/api.out" "listening on")
"$pss" --listen 127.0.0.1:0 --api "http://127.0.0.1:$api_port" --log-level warn \
    --max-clients 256 --max-per-address 256 --cache-size 100000 >"$work/tls.out" 2>&1 &
pids+=($!)
"$pss" --dtls --listen 127.0.0.1:0 --api "http://127.0.0.1:$api_port" --log-level warn \
    --max-clients 256 --max-per-address 256 --cache-size 100000 >"$work/dtls.out" 2>&1 &
pids+=($!)
tls_port=$(wait_line "$work/tls.out" "listening on")
dtls_port=$(wait_line "$work/dtls.out" "listening on")
# The baseline: one static PSK, the identity ukms-load presents for load:0 with --same-identity.
read -r s_id s_psk < <("$rotgen" --platform "$plat" load:0 1 16)
s_port=$(free_port)
openssl s_server -quiet -accept "$s_port" -nocert -psk "$s_psk" -psk_identity "$s_id" \
    -tls1_2 -cipher PSK-AES128-GCM-SHA256 </dev/null >"$work/s_server.out" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$s_port") 2>/dev/null && break; sleep 0.05; done

row() { # name args... -> one table row from ukms-load --json
    local name=$1
    shift
    "$load" --quiet --json --handshakes "$n" --concurrency "$conc" --platform "$plat" "$@" \
        >"$work/row.json" || true
    python3 - "$name" "$work/row.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[2]))
l = r["latency_ms"]
print(f"{sys.argv[1]:<40} {r['per_second']:>10.0f} {l['p50']:>8.2f} {l['p99']:>8.2f} "
      f"{r['failed']:>7}")
PY
}

printf "%-40s %10s %8s %8s %7s\n" "server (handshakes/s)" "hs/s" "p50 ms" "p99 ms" failed
row "openssl s_server -psk (static, serial)" --server "127.0.0.1:$s_port" \
    --devices load:0-0 --same-identity --concurrency 1
row "ukms-psk-server TLS, cold cache" --server "127.0.0.1:$tls_port" --devices load:0-999999
row "ukms-psk-server TLS, warm cache" --server "127.0.0.1:$tls_port" --devices load:0-63 \
    --same-identity --counter 7
row "ukms-psk-server DTLS, cold cache" --server "127.0.0.1:$dtls_port" --dtls \
    --devices load:0-999999 --counter 100
row "ukms-psk-server DTLS, warm cache" --server "127.0.0.1:$dtls_port" --dtls \
    --devices load:0-63 --same-identity --counter 8
echo "($n handshakes each, concurrency $conc (s_server: 1, it serves one client at a time)," \
    "TLS 1.2 / DTLS 1.2 PSK-AES128-GCM-SHA256, $(nproc) CPUs shared by all processes)"
