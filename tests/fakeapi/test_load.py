#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ukms-fakeapi under load: 64 concurrent keep-alive clients doing GetPSK with zero errors,
then the same load while SIGHUP reloads the platform file over and over (zero failed
requests), a reload that changes the platform, and a broken file that keeps the old one.

usage: test_load.py UKMS_FAKEAPI FAKEAPI_ROTGEN
"""
import json
import os
import signal
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakeapi_util import (Server, Tap, b64key, conn_for, login, request, rotgen,  # noqa: E402
                          wait_until, write_demo_platform)

EXE, ROTGEN = sys.argv[1], sys.argv[2]
CLIENTS = 64
t = Tap()


def load(url, token, keyid, psk, seconds, during=None):
    """Runs CLIENTS threads for `seconds`; returns (requests, failures, first failure)."""
    stop = threading.Event()
    counts = [[0, 0, None] for _ in range(CLIENTS)]

    def client(slot):
        conn = conn_for(url)
        body = json.dumps({"KeyID": keyid, "KeyLength": "128"})
        hdrs = {"Authorization": token, "Content-Type": "application/json"}
        while not stop.is_set():
            try:
                st, _, resp = request(url, "POST", "/v1/GetPSK", body, hdrs, conn=conn)
                good = st == 200 and b64key(resp) == psk
            except Exception as e:  # noqa: BLE001 - every failure counts
                good, resp = False, repr(e)
                conn.close()
                conn = conn_for(url)
            counts[slot][0] += 1
            if not good:
                counts[slot][1] += 1
                counts[slot][2] = counts[slot][2] or resp
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for th in threads:
        th.start()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if during:
            during()
        time.sleep(0.05)
    stop.set()
    for th in threads:
        th.join()
    fails = [c[2] for c in counts if c[2] is not None]
    return sum(c[0] for c in counts), sum(c[1] for c in counts), fails[:1]


def main():
    d = tempfile.mkdtemp(prefix="ukms-fakeapi-load-")
    path = os.path.join(d, "platform.json")
    write_demo_platform(ROTGEN, path)
    s = Server(EXE, "--platform", path, "--log-level", "warn")
    try:
        token = login(s.url)["AuthToken"]
        keyid, psk = rotgen(ROTGEN, "0A04F008003C9623", 4242, 16)
        n, bad, first = load(s.url, token, keyid, psk, 3)
        t.ok(n > 500 and bad == 0, "%d clients x 3 s: %d requests, %d failed" %
             (CLIENTS, n, bad), first)
        hups = [0]

        def hup():
            s.signal(signal.SIGHUP)
            hups[0] += 1
        n, bad, first = load(s.url, token, keyid, psk, 3, during=hup)
        t.ok(n > 500 and bad == 0 and hups[0] >= 20,
             "SIGHUP x %d under load: %d requests, %d failed" % (hups[0], n, bad), first)
        # A real change: provisioning off for the device, then SIGHUP.
        with open(path) as f:
            plat = json.load(f)
        for dev in plat["devices"]:
            if dev["rot_uid"] == "0A04F008003C9623":
                dev["psk_provisioning"] = False
        with open(path, "w") as f:
            json.dump(plat, f)
        s.signal(signal.SIGHUP)
        body = {"KeyID": keyid}
        hdr = {"Authorization": token}
        t.ok(wait_until(lambda: request(s.url, "POST", "/v1/GetPSK", body, hdr)[0] == 403),
             "SIGHUP applies a changed platform file (provisioning off -> 403)")
        with open(path, "w") as f:
            f.write("{\"version\": 1, \"platform_secret\": ")
        s.signal(signal.SIGHUP)
        t.ok(wait_until(lambda: "keeping the current platform" in s.log()),
             "a broken file on SIGHUP is logged and refused")
        t.eq(request(s.url, "POST", "/v1/GetPSK", body, hdr)[0], 403,
             "after the broken reload the previous platform is still served")
    finally:
        t.eq(s.stop(), 0, "clean exit")
        os.unlink(path)
        os.rmdir(d)
    t.done()


main()
