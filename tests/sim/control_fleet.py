#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The control socket of ukms-sim --fleet N (docs/control.md, Fleets): a request's "modem": i
addresses fleet modem i (default 0) — status, network and the `at` channel act on that modem
only — a bad "modem" (out of range, not an integer) is answered bad_args and the socket keeps
serving, `subscribe` takes a "modem" too (its events: control_fleet_events.py), and without
--fleet only modem 0 exists.

Usage: control_fleet.py UKMS_SIM        (TAP on stdout)
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', '..', 'python'))
from chat import Tap  # noqa: E402
from fleet_util import ask, fleet_doc, platform, result, start_control, stop  # noqa: E402
from ukms_sim import Control  # noqa: E402

DOC = fleet_doc("33")
TIMEOUT = 20.0


def main():
    exe = sys.argv[1]
    t = Tap()
    d, plat = platform(DOC, "ukms-control-fleet-")
    link, sock = os.path.join(d, "m%d"), os.path.join(d, "ctl.sock")

    p = start_control(exe, ["--platform", plat, "--fleet", "3", "--link", link], sock, TIMEOUT)
    try:
        with Control(sock, timeout=TIMEOUT) as ctl:
            st = [result(ask(ctl, "status", modem=i)) for i in range(3)]
            t.point(all(s is not None and s.get("link") == link.replace("%d", str(i))
                        for i, s in enumerate(st)),
                    "status with \"modem\": i is modem i's (its link)", str(st))
            dflt = result(ask(ctl, "status"))
            t.point(dflt is not None and dflt.get("link") == link.replace("%d", "0"),
                    "no \"modem\": modem 0", str(dflt))
            imeis = [s["device"]["imei"] for s in st] if None not in st else []
            t.point(len(set(imeis)) == 3, "three modems, three IMEIs", str(imeis))
            for i in (2, 0, 1):
                r = result(ask(ctl, "at", {"line": "AT+CGSN"}, modem=i))
                t.point(r is not None and imeis and imeis[i] in r["lines"] and
                        r["final"] == "OK",
                        "at AT+CGSN with \"modem\": %d answers modem %d's IMEI" % (i, i),
                        str(r))
            r = ask(ctl, "network", {"action": "detach"}, modem=1)
            cov = [result(ask(ctl, "status", modem=i)) for i in range(3)]
            t.point(r.get("ok") and [c and c["coverage"] for c in cov] == [True, False, True],
                    "network detach with \"modem\": 1 takes coverage from modem 1 only",
                    str((r, cov)))
            for bad, why in ((3, "out of range"), (-1, "negative"), (1.5, "not an integer"),
                             ("1", "a string"), (None, "null")):
                r = ask(ctl, "status", modem=bad)
                t.point(not r.get("ok") and r["error"]["code"] == "bad_args" and
                        "modem" in r["error"]["message"],
                        "\"modem\": %s (%s) is refused as bad_args" % (json.dumps(bad), why),
                        str(r))
            r = ask(ctl, "status", modem=3)
            t.point("0-2" in r.get("error", {}).get("message", ""),
                    "the refusal names the valid range 0-2", str(r))
            r = ask(ctl, "subscribe", {"events": ["urc"]}, modem=1)
            t.point(r.get("ok"), "subscribe with \"modem\": 1 is accepted "
                    "(control_fleet_events.py tests the events)", str(r))
            r = result(ask(ctl, "status", modem=2))
            t.point(r is not None and r["device"]["imei"] == imeis[2],
                    "after the refusals the socket still serves", str(r))
    finally:
        err = stop(p)
    t.point(p.returncode == 0, "the fleet with --control exits 0 on SIGTERM", err)

    p = start_control(exe, ["--platform", plat, "--device", "load:4"], sock, TIMEOUT)
    try:
        with Control(sock, timeout=TIMEOUT) as ctl:
            r0, r1 = ask(ctl, "status", modem=0), ask(ctl, "status", modem=1)
            t.point(r0.get("ok") and not r1.get("ok") and r1["error"]["code"] == "bad_args",
                    "one modem: \"modem\": 0 is it, \"modem\": 1 is refused", str((r0, r1)))
    finally:
        stop(p)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
