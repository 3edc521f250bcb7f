#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""--record PATH with --fleet N: one chat.py script per modem (PATH's %d replaced by the
index), 0600, each holding its own host's session only and naming its own device, so that
modem i's recording replays green on a single ukms-sim; PATH without %d is refused.

Usage: record_fleet.py UKMS_SIM        (TAP on stdout)
"""
import os
import shutil
import stat
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', '..', 'python'))
from chat import Tap  # noqa: E402
from fleet_util import ask, fleet_doc, platform, start_control, stop  # noqa: E402
from ukms_sim import Control, Host  # noqa: E402

DOC = fleet_doc("55")
TIMEOUT = 20.0
CHAT = os.path.join(HERE, "chat.py")


def steps(path):
    with open(path) as f:
        text = f.read()
    return text, [ln for ln in text.splitlines() if ln[:2] in ("> ", "~ ", "< ")]


def main():
    d, plat = platform(DOC, "ukms-record-fleet-")
    try:
        return run(sys.argv[1], d, plat)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def run(exe, d, plat):
    t = Tap()
    link, sock = os.path.join(d, "m%d"), os.path.join(d, "ctl.sock")
    rec = os.path.join(d, "rec%d.chat")
    p = start_control(exe, ["--platform", plat, "--fleet", "3", "--link", link,
                            "--record", rec], sock, TIMEOUT)
    uids, imei1 = [], ""
    if p.poll() is not None:
        t.point(False, "ukms-sim --fleet 3 --record rec%d.chat starts", stop(p))
        return t.done()
    try:
        with Control(sock, timeout=TIMEOUT) as ctl:
            st = [ask(ctl, "status", modem=i).get("result") or {} for i in range(3)]
            uids = [s.get("device", {}).get("rot_uid") for s in st]
        h1, h2 = Host(link % 1), Host(link % 2)
        try:
            lines, final = h1.command("AT+CGSN")
            imei1 = lines[-1] if lines else ""
            h1.command("ATI")
            h2.command("AT+CGMI")
        finally:
            h1.close()
            h2.close()
    finally:
        err = stop(p)
    t.point(p.returncode == 0, "--fleet 3 --record rec%d.chat runs and exits 0", err)
    paths = [rec % i for i in range(3)]
    t.point(all(os.path.exists(q) and stat.S_IMODE(os.stat(q).st_mode) == 0o600
                for q in paths), "one recording per modem, each 0600", str(os.listdir(d)))
    if not all(os.path.exists(q) for q in paths):
        return t.done()
    (t0, s0), (t1, s1), (t2, s2) = (steps(q) for q in paths)
    t.point(all(u and "--device %s " % u in text for u, text in zip(uids, (t0, t1, t2))),
            "each recording's %args names its own modem's device", str(uids))
    t.point("> AT+CGSN\\r" in s1 and "> ATI\\r" in s1 and "~ %s" % imei1 in s1 and
            not any("CGMI" in s for s in s1),
            "modem 1's recording holds modem 1's session only", "\n".join(s1))
    t.point("> AT+CGMI\\r" in s2 and not any("CGSN" in s for s in s2),
            "modem 2's recording holds modem 2's session only", "\n".join(s2))
    t.point(not any(s.startswith("> ") for s in s0), "modem 0 (no host) has no steps",
            "\n".join(s0))
    r = subprocess.run([sys.executable, CHAT, exe, paths[1]], capture_output=True, text=True,
                       timeout=120)
    t.point(r.returncode == 0 and "not ok" not in r.stdout,
            "modem 1's recording replays green on a single ukms-sim", r.stdout + r.stderr)

    r = subprocess.run([exe, "--headless", "--ephemeral", "--platform", plat, "--fleet", "2",
                        "--link", link, "--record", os.path.join(d, "one.chat")],
                       capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
    t.point(r.returncode == 2 and "--fleet needs --record PATH with one %d" in r.stderr and
            not os.path.exists(os.path.join(d, "one.chat")),
            "--record without %d is refused with --fleet", r.stderr)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
