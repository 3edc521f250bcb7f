#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ukms-load: bad arguments refused (exit 2, a message naming the option), shards of a fleet
range disjoint and together complete, and handshakes (TLS and DTLS, with an echo check) against
ukms-psk-server + ukms-fakeapi on a platform with a 1,000,000-device fleet with zero errors;
a wrong PSK length is counted as handshake errors (exit 1).

Usage: test_load.py UKMS-LOAD UKMS-PSK-SERVER UKMS-FAKEAPI FAKEAPI-ROTGEN
"""
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "psk-server"))
from psktest import Service, Tap, start_server  # noqa: E402


def fleet_platform(rotgen, directory):
    doc = json.loads(subprocess.run([rotgen, "--dump-platform"], check=True,
                                    capture_output=True).stdout)
    doc["fleets"] = [{"name": "load", "account": "demo", "model": "SARA-R510M8S",
                      "count": 1000000},
                     {"name": "small", "account": "demo", "model": "SARA-R422S", "count": 10}]
    path = os.path.join(directory, "platform.json")
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        json.dump(doc, f)
    return path


def run(exe, *args, timeout=60):
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=timeout)


def check_bad_args(t, exe, plat):
    cases = [
        ([], "--server HOST:PORT is required"),
        (["--server", "127.0.0.1"], "--server: bad value"),
        (["--server", "127.0.0.1:1", "--rate", "fast"], "--rate: bad value 'fast'"),
        (["--server", "127.0.0.1:1", "--shard", "3/3"], "--shard: bad value"),
        (["--server", "127.0.0.1:1", "--concurrency", "0"], "--concurrency: bad value"),
        (["--server", "127.0.0.1:1", "--payload", "99999"], "--payload: bad value"),
        (["--server", "127.0.0.1:1", "--length", "24"], "--length: bad value"),
        (["--server", "127.0.0.1:1", "--devices", "load:5-2"], "--devices: bad value"),
        (["--server", "127.0.0.1:1", "--bogus"], "unknown option '--bogus'"),
        (["--server", "127.0.0.1:1", "--platform", plat, "--devices", "nope:1-2"],
         "no fleet 'nope'"),
        (["--server", "127.0.0.1:1", "--platform", plat, "--devices", "small:5-10"],
         "small has 10 devices (0-9)"),
        (["--server", "127.0.0.1:1", "--platform", plat, "--devices", "small:0-1",
          "--shard", "2/3"], "--shard 2/3: no device"),
    ]
    for args, msg in cases:
        r = run(exe, *args)
        t.ok(r.returncode == 2 and msg in r.stderr, "refused (exit 2): %s" % " ".join(args),
             "rc %d: %s" % (r.returncode, r.stderr))


def check_shards(t, exe, plat):
    seen, uids = [], set()
    for i in range(3):
        r = run(exe, "--dry-run", "--platform", plat, "--devices", "load:100-199",
                "--shard", "%d/3" % i)
        lines = [ln.split() for ln in r.stdout.splitlines()]
        seen.append([sel for sel, _ in lines])
        uids |= {uid for _, uid in lines}
    flat = [s for shard in seen for s in shard]
    t.ok(len(flat) == len(set(flat)) == 100 and
         set(flat) == {"load:%d" % i for i in range(100, 200)} and len(uids) == 100,
         "3 shards of load:100-199 are disjoint and cover the range", seen)
    t.ok([len(s) for s in seen] == [34, 33, 33], "shard sizes 34/33/33", [len(s) for s in seen])


def load(exe, port, plat, *extra):
    r = run(exe, "--server", "127.0.0.1:%d" % port, "--platform", plat, "--json", "--quiet",
            *extra)
    try:
        return r.returncode, json.loads(r.stdout), r.stderr
    except ValueError:
        return r.returncode, {}, r.stdout + r.stderr


def main():
    exe, psk_server, fakeapi, rotgen = sys.argv[1:5]
    t = Tap()
    d = tempfile.mkdtemp(prefix="ukms-load-test-")
    atexit.register(shutil.rmtree, d, True)  # removed when the test exits
    plat = fleet_platform(rotgen, d)
    check_bad_args(t, exe, plat)
    check_shards(t, exe, plat)
    api = Service([fakeapi, "--listen", "127.0.0.1:0", "--platform", plat,
                   "--log-level", "warn"])
    servers = []
    try:
        # all load comes from 127.0.0.1: lift the per-address cap (16) above --concurrency
        lift = ["--max-per-address", "64", "--log-level", "warn"]
        tls = start_server(psk_server, api.url, *lift)
        dtls = start_server(psk_server, api.url, "--dtls", *lift)
        servers += [tls, dtls]
        rc, out, err = load(exe, tls.port, plat, "--devices", "load:0-999999", "--shard", "1/4",
                            "--handshakes", "300", "--concurrency", "16", "--payload", "200")
        t.ok(rc == 0 and out.get("handshakes") == 300 and out.get("failed") == 0 and
             out.get("devices") == 250000 and out["latency_ms"]["p99"] > 0,
             "TLS: 300 handshakes of fleet devices with a 200-byte echo, zero errors", out or err)
        rc, out, err = load(exe, dtls.port, plat, "--dtls", "--devices", "load:500000-500049",
                            "--handshakes", "100", "--concurrency", "8", "--payload", "64",
                            "--length", "16")
        t.ok(rc == 0 and out.get("handshakes") == 100 and out.get("failed") == 0,
             "DTLS: 100 handshakes with an echo, zero errors", out or err)
        rc, out, err = load(exe, tls.port, plat, "--devices", "small", "--rate", "200/s",
                            "--duration", "0.5", "--same-identity")
        t.ok(rc == 0 and out.get("failed") == 0 and 20 <= out.get("handshakes", 0) <= 150,
             "--rate 200/s for 0.5 s: about 100 handshakes, zero errors", out or err)
        rc, out, err = load(exe, tls.port, plat, "--devices", "small", "--handshakes", "5",
                            "--length", "32")
        t.ok(rc == 1 and out.get("handshakes") == 0 and out["errors"]["handshake"] == 5,
             "32-byte PSKs against a 16-byte server: 5 handshake errors, exit 1", out or err)
    finally:
        for s in servers:
            s.stop()
        api.stop()
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
