# Shared by bench/fakeapi/run.sh, fleet.sh and platform_rss.sh (sourced; needs $work, and for
# run_wrk $conns, $secs, $here).

bench_workdir() { # sets $work (a temp dir) and $pids; on exit kills $pids and removes $work
    work=$(mktemp -d)
    pids=()
    trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT
}

wait_port() { # file -> prints the port once the "listening on" line appears
    for _ in $(seq 1 100); do
        if grep -q "listening on" "$1" 2>/dev/null; then
            sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$1" | head -n 1
            return 0
        fi
        sleep 0.05
    done
    echo "server did not start" >&2
    return 1
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; } # pid -> resident KiB

# start_api name exe platform [args...] -> starts exe on an ephemeral port with that platform
# (output in $work/<name>.out/.err, pid appended to $pids) and sets started_pid, started_port
# and started_ms (exec to the "listening on" line, polled every 5 ms).
start_api() {
    local name=$1 exe=$2 plat=$3 t0 t1
    shift 3
    t0=$(date +%s%N)
    "$exe" --listen 127.0.0.1:0 --log-level warn --platform "$plat" "$@" \
        >"$work/$name.out" 2>"$work/$name.err" &
    started_pid=$!
    pids+=("$started_pid")
    for _ in $(seq 1 2000); do grep -q "listening on" "$work/$name.out" && break; sleep 0.005; done
    t1=$(date +%s%N)
    started_port=$(wait_port "$work/$name.out")
    started_ms=$(((t1 - t0) / 1000000))
}

cpu_ticks() { # pid -> utime + stime of the process (all threads), in clock ticks
    awk '{print $14 + $15}' "/proc/$1/stat"
}

# run_wrk name port [server_pid] -> "rps p50_ms p99_ms non2xx errors"; with server_pid, also
# appends "requests server_ticks wrk_seconds" to $work/<name>.cpu (CPU per request, which
# unlike req/s does not depend on what else the shared machine runs).
run_wrk() {
    local c0=0
    [ -n "${3:-}" ] && c0=$(cpu_ticks "$3")
    /usr/bin/time -f "%U %S" -o "$work/$1.time" \
        wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$here/getpsk.lua" "http://127.0.0.1:$2" \
        >"$work/$1.wrk"
    if [ -n "${3:-}" ]; then
        python3 - "$work/$1.wrk" "$work/$1.time" "$(($(cpu_ticks "$3") - c0))" \
            >>"$work/$1.cpu" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
n = int(re.search(r"(\d+) requests in", t).group(1))
u, s = map(float, open(sys.argv[2]).read().split()[-2:])
print(n, sys.argv[3], u + s)
PY
    fi
    python3 - "$work/$1.wrk" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
def ms(label):
    m = re.search(r"^\s*" + label + r"\s+([\d.]+)(us|ms|s)\s*$", t, re.M)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
errs = re.search(r"Socket errors: (.*)", t)
print(f"{rps:.0f} {ms('50%'):.3f} {ms('99%'):.3f} {non2xx.group(1) if non2xx else 0} "
      f"{'yes' if errs else 'no'}")
PY
}

# cpu_summary name... -> "name: server X us, wrk Y us per request" lines and, for the first two
# names (baseline, measured), the req/s ratio a CPU-bound machine would give: (Xb+Yb)/(Xm+Ym).
cpu_summary() {
    python3 - "$(getconf CLK_TCK)" "$work" "$@" <<'PY'
import sys
hz, work, names = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
per = {}
for name in names:
    rows = [l.split() for l in open(f"{work}/{name}.cpu")]
    n = sum(int(r[0]) for r in rows)
    srv = sum(int(r[1]) for r in rows) / hz / n * 1e6
    wrk = sum(float(r[2]) for r in rows) / n * 1e6
    per[name] = (srv, wrk)
    print(f"CPU per request {name:<12} server {srv:6.2f} us, wrk {wrk:6.2f} us")
if len(names) >= 2:
    b, m = per[names[0]], per[names[1]]
    print(f"CPU-bound ratio {names[1]}/{names[0]} = {(b[0] + b[1]) / (m[0] + m[1]):.2f}")
PY
}

