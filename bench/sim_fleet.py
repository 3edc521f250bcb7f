#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ukms-sim --fleet N next to a single modem, in one run: start until all N modems answer AT,
resident memory per idle modem ((RSS of N) - (RSS of 1)) / (N - 1), and the AT round trip on
modem 0 with N-1 idle modems vs a single modem (median of ROUNDS, alternating blocks).

--explicit M adds M explicit devices to the platform file (the modems still emulate its fleet's
devices): what a large platform file costs each modem. --baseline OLD_UKMS_SIM measures the
same with another build first, in the same run (before/after a change).

Usage: sim_fleet.py UKMS_SIM [N] [ROUNDS] [--explicit M] [--baseline OLD_UKMS_SIM]
"""
import json
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tty

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "sim"))
from fleet_util import explicit_devices, rss_kib  # noqa: E402

DOC = {"version": 1, "platform_secret": "11" * 32,
       "accounts": [{"name": "a", "api_key": "k", "api_secret": "s"}], "devices": [],
       "fleets": [{"name": "load", "account": "a", "model": "SARA-R510M8S", "count": 1000000}]}


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


def option(argv, name):
    """Value of `name VALUE` in argv (removed from it), or None."""
    if name not in argv:
        return None
    i = argv.index(name)
    value = argv[i + 1]
    del argv[i:i + 2]
    return value


def measure(label, exe, plat, d, n, rounds):
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
    print("%sukms-sim --fleet %d: all answering AT after %.0f ms (one modem: %.0f ms)"
          % (label, n, big_ms, one_ms))
    print("%sRSS: %d modems %d KiB, one modem %d KiB -> %.1f KiB per idle modem (goal <= 100)"
          % (label, n, rb, ro, (rb - ro) / max(1, n - 1)))
    ma, mb = statistics.median(a), statistics.median(b)
    print("%sAT round trip on modem 0: median %.0f us with %d idle, %.0f us alone -> ratio "
          "%.2f (goal <= 1.2); p99 %.0f / %.0f us" % (label, ma, n - 1, mb, ma / mb,
                                                     sorted(a)[int(len(a) * .99)],
                                                     sorted(b)[int(len(b) * .99)]))
    sys.stdout.flush()


def main():
    argv = sys.argv[1:]
    explicit = int(option(argv, "--explicit") or 0)
    baseline = option(argv, "--baseline")
    exe = argv[0]
    n = int(argv[1]) if len(argv) > 1 else 1000
    rounds = int(argv[2]) if len(argv) > 2 else 1000
    d = tempfile.mkdtemp(prefix="ukms-bench-fleet-")
    plat = os.path.join(d, "p.json")
    with open(os.open(plat, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        json.dump(dict(DOC, devices=explicit_devices(explicit)), f)
    print("platform: %d explicit devices (%d bytes) and a fleet of %d"
          % (explicit, os.path.getsize(plat), DOC["fleets"][0]["count"]))
    if baseline:
        measure("baseline: ", baseline, plat, d, n, rounds)
        measure("this:     ", exe, plat, d, n, rounds)
    else:
        measure("", exe, plat, d, n, rounds)
    shutil.rmtree(d, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
