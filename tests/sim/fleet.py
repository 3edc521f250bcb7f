#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""ukms-sim --fleet N: N modems in one process, each on its own pty behind --link with %d,
modem i emulating device FIRST+i of a platform fleet (its UID and IMEI as `ukms-rot devices`
computes them), explicit devices in order without a fleet, NVM per modem under
--state-dir DIR/<rot_uid>/, one copy of the platform for the whole fleet (a 20,000-device
platform file costs the same for 20 modems as for one), and bad combinations refused at start
with the reason.

Usage: fleet.py UKMS_SIM UKMS_ROT        (TAP on stdout)
"""
import json
import os
import select
import shutil
import subprocess
import sys
import time
import tty

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chat import Tap  # noqa: E402
from fleet_util import explicit_devices, fleet_doc, platform, rss_kib, stop  # noqa: E402

BIG_DEVICES, BIG_FLEET = 20000, 20
# Per idle modem beyond the first, KiB: one copy of the 20,000-device platform per modem
# (as before the fleet shared it) is ~4,500 KiB; an idle modem itself ~50 (ASan ~150).
IDLE_MODEM_MAX_KIB = 1024
DOC = fleet_doc("00")


def point(t, cond, what, diag=""):
    t.point(cond, what, str(diag))


def start(exe, args, n, timeout=20.0):
    """Starts ukms-sim; returns (proc, [(selector, link)]) once n modem lines are printed."""
    p = subprocess.Popen([exe, "--headless", "--reg-delay-ms", "10", "--log-level", "warn"] +
                         args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    modems, buf, deadline = [], b"", time.monotonic() + timeout
    while len(modems) < n and time.monotonic() < deadline:
        r, _, _ = select.select([p.stdout], [], [], 0.2)
        if not r:
            continue
        chunk = os.read(p.stdout.fileno(), 4096)
        if not chunk:
            break
        buf += chunk
        modems = [ln.split() for ln in buf.decode().splitlines()
                  if ln.startswith("ukms-sim: modem ")]
    return p, [(m[3], m[7]) for m in modems]


def ask(link, lines, timeout=5.0):
    fd = os.open(link, os.O_RDWR | os.O_NOCTTY)
    tty.setraw(fd)
    out = b""
    try:
        for line in lines:
            os.write(fd, line.encode() + b"\r")
            deadline = time.monotonic() + timeout
            while not out.endswith(b"OK\r\n") and not out.endswith(b"ERROR\r\n"):
                r, _, _ = select.select([fd], [], [], max(0, deadline - time.monotonic()))
                if not r:
                    break
                out += os.read(fd, 4096)
            out += b"|"
    finally:
        os.close(fd)
    return out.decode(errors="replace")


def devices(rot, plat, sels):
    r = subprocess.run([rot, "devices", "--json", "--platform", plat] + sels,
                       capture_output=True, text=True, timeout=20, check=True)
    return json.loads(r.stdout)


def shared_platform(t, exe, d):
    """The fleet loads the platform once: RSS with 20 modems ~ RSS with one."""
    devs = explicit_devices(BIG_DEVICES)
    big, plat = platform(dict(DOC, devices=devs, fleets=[]), "ukms-sim-fleet-big-")
    runs = []
    try:
        for n in (1, BIG_FLEET):
            link = os.path.join(d, "big%d-%%d" % n)
            p, modems = start(exe, ["--ephemeral", "--platform", plat, "--fleet", str(n),
                                    "--link", link], n, timeout=60.0)
            runs.append(p)
            last = ask(modems[-1][1], ["ATE0", "AT+CGSN"]) if len(modems) == n else ""
            point(t, devs[n - 1]["imei"] in last,
                  "a %d-device platform, --fleet %d: modem %d is explicit device %d"
                  % (BIG_DEVICES, n, n - 1, n - 1), last)
        per = (rss_kib(runs[1].pid) - rss_kib(runs[0].pid)) / (BIG_FLEET - 1)
        point(t, per < IDLE_MODEM_MAX_KIB,
              "one platform for the fleet: %.0f KiB per idle modem (< %d)" %
              (per, IDLE_MODEM_MAX_KIB))
    finally:
        for p in runs:
            stop(p)
        shutil.rmtree(big, ignore_errors=True)


def main():
    exe, rot = sys.argv[1:3]
    t = Tap()
    d, plat = platform(DOC, "ukms-sim-fleet-")
    link = os.path.join(d, "m%d")

    p, modems = start(exe, ["--ephemeral", "--platform", plat, "--fleet", "3", "--link", link,
                            "--device", "load:5"], 3)
    try:
        point(t, [m[0] for m in modems] == ["load:5", "load:6", "load:7"] and
             [m[1] for m in modems] == [link.replace("%d", str(i)) for i in range(3)],
             "--fleet 3 --device load:5: modems load:5..7 on links m0..m2", modems)
        want = devices(rot, plat, ["load:5", "load:6", "load:7"])
        for i, (sel, path) in enumerate(modems):
            out = ask(path, ["ATE0", "AT+CGSN", "AT+USECROTUID"])
            point(t, want[i]["imei"] in out and want[i]["rot_uid"] in out,
                 "modem %d answers with the IMEI and UID of %s" % (i, sel), out)
    finally:
        err = stop(p)
    point(t, p.returncode == 0, "the fleet exits 0 on SIGTERM", err)

    state = os.path.join(d, "state")
    p, modems = start(exe, ["--fleet", "2", "--link", link, "--state-dir", state], 2)
    try:
        uids = ["0A04F008003C9623", "0002000089282245"]
        outs = [ask(path, ["ATE0", "AT+USECROTUID"]) for _, path in modems]
        point(t, [m[0] for m in modems] == uids and all(u in o for u, o in zip(uids, outs)),
             "without fleets: the demo platform's explicit devices in order", (modems, outs))
        point(t, all(os.path.isdir(os.path.join(state, u)) for u in uids),
             "--state-dir DIR: one NVM directory per modem, DIR/<rot_uid>", os.listdir(state))
    finally:
        stop(p)

    shared_platform(t, exe, d)

    for args, why in (
            (["--fleet", "3", "--link", os.path.join(d, "x")], "--link PATH with one %d"),
            (["--fleet", "3"], "--link PATH with one %d"),
            (["--fleet", "0", "--link", link], "bad --fleet '0'"),
            (["--fleet", "2", "--link", os.path.join(d, "%s%d")], "--link PATH with one %d"),
            (["--fleet", "3", "--link", link, "--platform", plat, "--device", "load:8"],
             "modem 2 (load:10): load:10: index out of range (fleet load has 10 devices, 0-9)"),
            (["--fleet", "2", "--link", link, "--platform", plat, "--device", "0A04F008003C9623"],
             "--fleet needs --device FLEET:FIRST")):
        r = subprocess.run([exe, "--headless", "--ephemeral"] + args, capture_output=True,
                           text=True, timeout=20, stdin=subprocess.DEVNULL)
        point(t, r.returncode == 2 and why in r.stderr, "refused: %s" % " ".join(args[:4]),
                r.stderr)
    print("1..%d" % t.n)
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
