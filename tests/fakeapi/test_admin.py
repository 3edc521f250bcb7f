#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The admin listener: list/add devices, switch provisioning, add accounts; every change is in
the platform file (re-read from disk, mode 0600) and survives a restart; the built-in platform
refuses changes with 409; admin routes are not on the public port.

usage: test_admin.py UKMS_FAKEAPI FAKEAPI_ROTGEN
"""
import json
import os
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakeapi_util import (Server, Tap, b64key, is_error, login, request, rotgen,  # noqa: E402
                          write_demo_platform)

EXE, ROTGEN = sys.argv[1], sys.argv[2]
t = Tap()
ACME = {"name": "acme", "api_key": "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee",
        "api_secret": "acmeSecretForTheAdminTest000001"}
DEV = {"rot_uid": "0A04F00800000F01", "imei": "352753090009999", "imsi": "001010000009999",
       "iccid": "8988211000000009999", "model": "SARA-R510M8S", "account": "acme"}


def on_disk(path):
    mode = stat.S_IMODE(os.stat(path).st_mode)
    with open(path) as f:
        return mode, json.load(f)


def stale_temps(path):
    """Temp files as afile_write leaves them when killed: <path>.tmp.<pid>.XXXXXX of a pid that
    is gone, and an older build's <path>.tmp.XXXXXX."""
    p = subprocess.Popen(["true"])
    p.wait()
    names = [path + ".tmp.%d.Ab3dE9" % p.pid, path + ".tmp.Zx9Yw8"]
    for n in names:
        with open(n, "w") as f:
            f.write('{"platform_secret": "..."}')
    return names


def test_builtin():
    s = Server(EXE, "--admin-listen", "127.0.0.1:0")
    try:
        st, _, body = request(s.admin_url, "GET", "/admin/devices")
        t.ok(st == 200 and len(body["devices"]) >= 13, "built-in: GET /admin/devices lists "
             "the demo devices")
        st, _, body = request(s.admin_url, "POST", "/admin/accounts", ACME)
        t.ok(st == 409 and is_error(body, "read_only_platform"), "built-in: mutation -> 409")
        st, _, _ = request(s.url, "GET", "/admin/devices")
        t.eq(st, 404, "admin routes are not served on the public port")
    finally:
        s.stop()


def main():
    d = tempfile.mkdtemp(prefix="ukms-fakeapi-admin-")
    path = os.path.join(d, "platform.json")
    write_demo_platform(ROTGEN, path)
    s = Server(EXE, "--platform", path, "--admin-listen", "127.0.0.1:0")
    try:
        t.ok(s.admin_url.startswith("http://127.0.0.1:"), "admin banner printed", s.admin_url)
        st, _, body = request(s.admin_url, "POST", "/admin/accounts", ACME)
        t.ok(st == 201 and body == {"account": {"name": "acme", "api_key": ACME["api_key"]}},
             "POST /admin/accounts -> 201 without the secret", body)
        st, _, body = request(s.admin_url, "POST", "/admin/devices", DEV)
        t.ok(st == 201 and body["device"]["rot_uid"] == DEV["rot_uid"] and
             body["device"]["psk_provisioning"] is True, "POST /admin/devices -> 201", body)
        st, _, body = request(s.admin_url, "POST", "/admin/devices", DEV)
        t.ok(st == 409 and is_error(body, "conflict"), "same device again -> 409 conflict")
        mode, plat = on_disk(path)
        t.ok(mode == 0o600 and any(a["name"] == "acme" for a in plat["accounts"]) and
             any(x["rot_uid"] == DEV["rot_uid"] for x in plat["devices"]),
             "the file holds the new account and device, mode 0600", oct(mode))
        # The new account can log in and fetch its new device's PSK; rot/ generates the pair.
        tok = login(s.url, ACME["api_key"], ACME["api_secret"])["AuthToken"]
        keyid, psk = rotgen(ROTGEN, DEV["rot_uid"], 1, 16, platform=path)
        st, _, body = request(s.url, "POST", "/v1/GetPSK", {"KeyID": keyid},
                              {"Authorization": tok})
        t.ok(st == 200 and b64key(body) == psk, "new account + device: GetPSK -> 200")
        st, _, body = request(s.admin_url, "POST",
                              "/admin/devices/%s/provisioning" % DEV["rot_uid"],
                              {"enabled": False})
        t.ok(st == 200 and body["device"]["psk_provisioning"] is False,
             "POST .../provisioning {enabled:false} -> 200")
        st, _, body = request(s.url, "POST", "/v1/GetPSK", {"KeyID": keyid},
                              {"Authorization": tok})
        t.ok(st == 403 and is_error(body, "psk_provisioning_disabled"),
             "then GetPSK -> 403 psk_provisioning_disabled")
        mode, plat = on_disk(path)
        dev = [x for x in plat["devices"] if x["rot_uid"] == DEV["rot_uid"]][0]
        t.ok(mode == 0o600 and dev["psk_provisioning"] is False, "provisioning off on disk")
        st, _, body = request(s.admin_url, "POST", "/admin/devices/0A04F008FFFFFFFF/provisioning",
                              {"enabled": True})
        t.ok(st == 404 and is_error(body, "device_not_found"), "unknown device -> 404")
    finally:
        s.stop()
    stale = stale_temps(path)  # an admin write killed before its rename left these
    s = Server(EXE, "--platform", path, "--admin-listen", "127.0.0.1:0")
    try:
        left = [p for p in stale if os.path.exists(p)]
        t.ok(not left, "temp files of a killed writer (platform secret) removed at start", left)
        st, _, body = request(s.admin_url, "GET", "/admin/devices")
        dev = [x for x in body["devices"] if x["rot_uid"] == DEV["rot_uid"]]
        t.ok(st == 200 and dev and dev[0]["psk_provisioning"] is False,
             "after a restart the changes are still there")
    finally:
        s.stop()
        for f in os.listdir(d):
            os.unlink(os.path.join(d, f))
        os.rmdir(d)
    test_builtin()
    t.done()


main()
