#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Synthetic fleets through the fake API: GetPSK of FLEET:INDEX devices at both key lengths
equals what rot/ generates on the device side (fakeapi-rotgen), a fleet of another account
answers like an unknown identity, the admin listener names fleet devices by selector (bad
selectors and out-of-range indexes refused with a clear message), and a provisioning switch
of one fleet device is stored as a sparse override in the file and survives a restart. Also: a
platform of 20,000 explicit devices leaves little memory resident once loaded (the parse's
temporaries are handed back to the system).

usage: test_fleet.py UKMS_FAKEAPI FAKEAPI_ROTGEN
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "sim"))
from fakeapi_util import (Server, Tap, b64key, is_error, login, request, rotgen,  # noqa: E402
                          write_demo_platform)
from fleet_util import explicit_devices, rss_kib  # noqa: E402

EXE, ROTGEN = sys.argv[1], sys.argv[2]
t = Tap()
COUNT = 1000000


def make_platform(path):
    write_demo_platform(ROTGEN, path)
    with open(path) as f:
        doc = json.load(f)
    doc["fleets"] = [
        {"name": "load", "account": "demo", "model": "SARA-R510M8S", "count": COUNT},
        {"name": "theirs", "account": "other", "model": "SARA-R422S", "count": 10},
    ]
    with open(path, "w") as f:
        json.dump(doc, f)


def getpsk(s, tok, keyid, length):
    body = {"KeyID": keyid}
    if length == 32:
        body["KeyLength"] = "256"
    return request(s.url, "POST", "/v1/GetPSK", body, {"Authorization": tok})


def check_keys(s, path, tok):
    rnd = random.Random(12)
    sels = ["load:0", "load:%d" % (COUNT - 1)] + ["load:%d" % rnd.randrange(COUNT)
                                                 for _ in range(6)]
    good = 0
    for i, sel in enumerate(sels):
        for length in (16, 32):
            keyid, psk = rotgen(ROTGEN, sel, i + 1, length, platform=path)
            st, _, body = getpsk(s, tok, keyid, length)
            good += st == 200 and b64key(body) == psk and body["ROTPublicUID"].startswith("F1EE")
    t.eq(good, 2 * len(sels), "GetPSK of %d fleet devices at 16 and 32 bytes = rot/'s keys"
         % len(sels))
    keyid, _ = rotgen(ROTGEN, "theirs:3", 1, 16, platform=path)
    st, _, body = getpsk(s, tok, keyid, 16)
    t.ok(st == 404 and is_error(body, "key_not_found"),
         "a fleet device of another account -> 404 key_not_found", body)
    keyid, _ = rotgen(ROTGEN, "load:77", 1, 16, platform=path)
    forged = keyid[:-1] + ("0" if keyid[-1] != "0" else "1")
    st, _, body = getpsk(s, tok, forged, 16)
    t.ok(st == 404 and is_error(body, "key_not_found"), "a forged fleet identity -> 404")


def check_admin(s, path, tok):
    st, _, body = request(s.admin_url, "GET", "/admin/devices")
    t.ok(st == 200 and [f["name"] for f in body.get("fleets", [])] == ["load", "theirs"] and
         len(body["devices"]) == 13, "GET /admin/devices lists the fleets, not their devices")
    st, _, body = request(s.admin_url, "GET", "/admin/devices/load:5")
    dev = body.get("device", {}) if st == 200 else {}
    t.ok(dev.get("model") == "SARA-R510M8S" and dev.get("rot_uid", "").startswith("F1EE"),
         "GET /admin/devices/load:5 -> the computed device", body)
    st2, _, body2 = request(s.admin_url, "GET", "/admin/devices/" + dev.get("imei", "x"))
    t.ok(st2 == 200 and body2["device"] == dev, "the same device by its IMEI")
    for sel, why in (("load:%d" % COUNT, "index out of range"), ("nope:1", "no fleet 'nope'"),
                     ("load:x", "decimal number"), ("zz", "expected a rot_uid")):
        st, _, body = request(s.admin_url, "GET", "/admin/devices/" + sel)
        t.ok(st == 404 and why in json.dumps(body), "GET /admin/devices/%s -> 404 (%s)"
             % (sel, why), body)
    keyid, _ = rotgen(ROTGEN, "load:5", 9, 16, platform=path)
    st, _, body = request(s.admin_url, "POST", "/admin/devices/load:5/provisioning",
                          {"enabled": False})
    t.ok(st == 200 and body["device"]["psk_provisioning"] is False,
         "POST /admin/devices/load:5/provisioning {enabled:false} -> 200", body)
    st, _, body = getpsk(s, tok, keyid, 16)
    t.ok(st == 403 and is_error(body, "psk_provisioning_disabled"), "then its GetPSK -> 403")
    keyid6, _ = rotgen(ROTGEN, "load:6", 9, 16, platform=path)
    st, _, body = getpsk(s, tok, keyid6, 16)
    t.eq(st, 200, "its neighbour load:6 is unaffected")
    with open(path) as f:
        fleet = json.load(f)["fleets"][0]
    t.ok(fleet.get("overrides") == [{"index": 5, "psk_provisioning": False}] and
         fleet["count"] == COUNT, "the file holds one sparse override", fleet.get("overrides"))
    return keyid


BIG_DEVICES = 20000
# Resident KiB once listening on a 20,000-device platform (a 3.2 MB file): ~13,400 with the
# parse's temporaries handed back, ~31,800 without (bench/README.md, platform_rss.sh).
BIG_RSS_MAX_KIB = 24 * 1024


def check_big_explicit(d):
    path = os.path.join(d, "big.json")
    write_demo_platform(ROTGEN, path)
    with open(path) as f:
        doc = json.load(f)
    doc["devices"] = explicit_devices(BIG_DEVICES, account="demo")
    with open(path, "w") as f:
        json.dump(doc, f)
    name = f"{BIG_DEVICES} explicit devices: resident memory once listening <= {BIG_RSS_MAX_KIB} KiB"
    if "libasan" in subprocess.run(["ldd", EXE], capture_output=True, text=True).stdout:
        t.ok(True, name + " # SKIP ASan's allocator keeps freed memory by design")
        return
    s = Server(EXE, "--platform", path)
    try:
        kib = rss_kib(s.proc.pid)
        t.ok(kib <= BIG_RSS_MAX_KIB, name, f"VmRSS {kib} KiB")
    finally:
        s.stop()


def main():
    d = tempfile.mkdtemp(prefix="ukms-fakeapi-fleet-")
    try:
        return run(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def run(d):
    check_big_explicit(d)
    path = os.path.join(d, "platform.json")
    make_platform(path)
    s = Server(EXE, "--platform", path, "--admin-listen", "127.0.0.1:0")
    try:
        tok = login(s.url)["AuthToken"]
        check_keys(s, path, tok)
        keyid = check_admin(s, path, tok)
    finally:
        s.stop()
    s = Server(EXE, "--platform", path)
    try:
        st, _, body = getpsk(s, login(s.url)["AuthToken"], keyid, 16)
        t.ok(st == 403 and is_error(body, "psk_provisioning_disabled"),
             "after a restart load:5 is still off")
    finally:
        s.stop()
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
