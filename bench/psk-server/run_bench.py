#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Handshakes per second of ukms-psk-server with a cold and a warm PSK cache.

Usage: run_bench.py UKMS-PSK-SERVER HS_BENCH [--count N] [--dtls]
                    [--fakeapi UKMS-FAKEAPI --rot UKMS-ROT]

Cold: every handshake uses a new identity, so the server calls GetPSK each time.
Warm: one identity over and over, answered from the server's cache after the first.
Against ukms-fakeapi (identities from `ukms-rot generate`) when given, else the stand-in
tests/psk-server/mock_api.py (bench identities "DD...").
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "psk-server"))
from psktest import Service, start_mock, start_server  # noqa: E402
from mock_api import mock_psk  # noqa: E402


def mock_pairs(n):
    ids = ["DD%026X" % i for i in range(n)]
    return [(i, mock_psk(i, 16).hex().upper()) for i in ids]


def rot_pairs(rot, n, device):
    state = tempfile.mkdtemp(prefix="ukms-bench-rot-")
    out = []
    for _ in range(n):
        r = subprocess.run([rot, "generate", "--device", device, "--length", "16",
                            "--state-dir", state], capture_output=True, text=True, check=True)
        ident, psk = r.stdout.split()[:2]
        out.append((ident, psk))
    return out


def run(hs_bench, port, pairs, count, dtls):
    fd, path = tempfile.mkstemp(prefix="ukms-bench-pairs-")
    with os.fdopen(fd, "w") as f:
        f.writelines("%s %s\n" % p for p in pairs)
    argv = [hs_bench, "--connect", "127.0.0.1:%d" % port, "--pairs", path, "--count", str(count)]
    r = subprocess.run(argv + (["--dtls"] if dtls else []), capture_output=True, text=True)
    os.unlink(path)
    m = re.search(r"handshakes (\d+) failed (\d+) seconds (\S+) per_second (\S+)", r.stdout)
    if not m:
        raise RuntimeError("hs_bench: " + r.stdout + r.stderr)
    return int(m.group(2)), float(m.group(4))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("server")
    ap.add_argument("hs_bench")
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--dtls", action="store_true")
    ap.add_argument("--fakeapi")
    ap.add_argument("--rot")
    ap.add_argument("--device", default="0A04F008003C9623")
    a = ap.parse_args()
    if a.fakeapi:
        api = Service([a.fakeapi, "--listen", "127.0.0.1:0"])
        cold = rot_pairs(a.rot, a.count, a.device)
        label = "ukms-fakeapi"
    else:
        api = start_mock()
        cold = mock_pairs(a.count)
        label = "mock_api.py"
    warm = cold[:1]
    extra = ["--log-level", "warn", "--cache-size", str(4 * a.count)] + \
        (["--dtls"] if a.dtls else [])
    srv = start_server(a.server, api.url, *extra)
    try:
        run(a.hs_bench, srv.port, warm, 5, a.dtls)  # token fetched, first identity cached
        cold_fail, cold_rate = run(a.hs_bench, srv.port, cold[1:] + cold[:1], a.count, a.dtls)
        warm_fail, warm_rate = run(a.hs_bench, srv.port, warm, a.count, a.dtls)
    finally:
        srv.stop()
        api.stop()
    proto = "DTLS 1.2" if a.dtls else "TLS 1.2 PSK-AES128-GCM-SHA256"
    print("ukms-psk-server handshakes/s, %s, API %s, %d handshakes each" % (proto, label, a.count))
    print("%-28s %12s %12s" % ("", "cold cache", "warm cache"))
    print("%-28s %12.1f %12.1f" % ("handshakes per second", cold_rate, warm_rate))
    print("%-28s %12d %12d" % ("failed", cold_fail, warm_fail))
    return 1 if cold_fail or warm_fail else 0


if __name__ == "__main__":
    sys.exit(main())
