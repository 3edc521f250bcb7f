# Shared by bench/fakeapi/run.sh and fleet.sh (sourced; needs $work, $conns, $secs, $here).

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

run_wrk() { # name port -> "rps p50_ms p99_ms non2xx errors"
    wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$here/getpsk.lua" "http://127.0.0.1:$2" \
        >"$work/$1.wrk"
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

