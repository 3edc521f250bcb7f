#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ukms-sim --fleet N next to a single modem, in one run: start until all N modems answer AT,
resident memory per idle modem ((RSS of N) - (RSS of 1)) / (N - 1), and the AT round trip on
modem 0 with N-1 idle modems vs a single modem (median of ROUNDS, alternating blocks).

Usage: sim_fleet.py UKMS_SIM [N] [ROUNDS]
"""
import json
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
import tty

DOC = {"version": 1, "platform_secret": "11" * 32,
       "accounts": [{"name": "a", "api_key": "k", "api_secret": "s"}], "devices": [],
       "fleets": [{"name": "load", "account": "a", "model": "SARA-R510M8S", "count": 1000000}]}


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        return next(int(ln.split()[1]) for ln in f if ln.startswith("VmRSS:"))


def start(exe, plat, link, n):
    t0 = time.monotonic()
    p = subprocess.Popen([exe, "--headless", "--ephemeral", "--log-level", "error",
                          "--reg-delay-ms", "10", "--platform", plat, "--fleet", str(n),
                          "--link", link], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    buf = b""
    while buf.count(b"ukms-sim: modem ") < n:
        r, _, _ = select.select([p.stdout], [], [], 60)
        chunk = os.read(p.stdout.fileno(), 65536) if r else b""
        if not chunk:
            raise RuntimeError("ukms-sim --fleet %d did not start" % n)
        buf += chunk
    fds = []
    for i in range(n):
        fd = os.open(link.replace("%d", str(i)), os.O_RDWR | os.O_NOCTTY)
        tty.setraw(fd)
        fds.append(fd)
    for fd in fds:
        os.write(fd, b"ATE0\r")
    for fd in fds:
        wait_ok(fd)
    return p, fds, (time.monotonic() - t0) * 1000


def wait_ok(fd, timeout=30.0):
    buf, deadline = b"", time.monotonic() + timeout
    while not buf.endswith(b"OK\r\n"):
        r, _, _ = select.select([fd], [], [], max(0, deadline - time.monotonic()))
        if not r:
            raise RuntimeError("no OK: %r" % buf)
        buf += os.read(fd, 4096)


def rtt_us(fd, count):
    out = []
    for _ in range(count):
        t = time.perf_counter()
        os.write(fd, b"AT\r")
        wait_ok(fd)
        out.append((time.perf_counter() - t) * 1e6)
    return out


def main():
    exe = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    d = tempfile.mkdtemp(prefix="ukms-bench-fleet-")
    plat = os.path.join(d, "p.json")
    with open(os.open(plat, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        json.dump(DOC, f)
    big, bfds, big_ms = start(exe, plat, os.path.join(d, "b%d"), n)
    one, ofds, one_ms = start(exe, plat, os.path.join(d, "o%d"), 1)
    try:
        rb, ro = rss_kib(big.pid), rss_kib(one.pid)
        a, b = [], []
        for _ in range(rounds // 100):
            a += rtt_us(bfds[0], 100)
            b += rtt_us(ofds[0], 100)
    finally:
        for fd in bfds + ofds:
            os.close(fd)
        for p in (big, one):
            p.terminate()
            p.wait(timeout=30)
    print("ukms-sim --fleet %d: all answering AT after %.0f ms (one modem: %.0f ms)"
          % (n, big_ms, one_ms))
    print("RSS: %d modems %d KiB, one modem %d KiB -> %.1f KiB per idle modem (goal <= 100)"
          % (n, rb, ro, (rb - ro) / max(1, n - 1)))
    ma, mb = statistics.median(a), statistics.median(b)
    print("AT round trip on modem 0: median %.0f us with %d idle, %.0f us alone -> ratio %.2f "
          "(goal <= 1.2); p99 %.0f / %.0f us" % (ma, n - 1, mb, ma / mb,
                                                  sorted(a)[int(len(a) * .99)],
                                                  sorted(b)[int(len(b) * .99)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
